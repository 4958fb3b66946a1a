// The probes /readyz runs: Kafka answers a metadata request (describeCluster), the database
// answers `SELECT 1`. Each uses its own small client so a probe never waits behind the role's
// busy pool or producer, and reports the dependency's own error.
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { KafkaConfig, DatabaseConfig } from '../config/env.js';
import { createKafka } from '../kafka/client.js';
import type { Probe } from './readiness.js';

export interface ClosableProbe {
  probe: Probe;
  close(): Promise<void>;
}

/** Connects an admin client, asks for the cluster's brokers, disconnects. */
export function kafkaProbe(kafka: Kafka): ClosableProbe {
  return {
    async probe() {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('the cluster reports no brokers');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    close: async () => undefined,
  };
}

export function kafkaProbeFromConfig(cfg: KafkaConfig, connectionTimeoutMs = 1500): ClosableProbe {
  return kafkaProbe(createKafka(cfg, { role: 'readyz', level: 'nothing', connectionTimeoutMs }));
}

export function databaseProbe(pool: pg.Pool): ClosableProbe {
  return {
    async probe() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

export function databaseProbeFromConfig(cfg: DatabaseConfig, timeoutMs = 1500): ClosableProbe {
  // One connection with its own timeouts: a probe against a dead server gives up instead of
  // queueing every later probe behind a connect that never finishes.
  const pool = new pg.Pool({
    connectionString: cfg.url,
    ssl: cfg.ssl === false ? false : cfg.ssl,
    max: 1,
    application_name: 'meterline-readyz',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  return databaseProbe(pool);
}
