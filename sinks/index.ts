// The sink role as `meterline sink` and `meterline run` start it: usage.rollups → TimescaleDB.
import type { Role, RunningRole, RoleContext } from '../roles/role.js';
import { loadCatalog } from '../catalog/load.js';
import { createKafka } from '../kafka/client.js';
import { kafkaLogTo, prepareTopics } from '../roles/bootstrap.js';
import { createSerde } from '../avro/registry.js';
import { createPool } from '../db/pool.js';
import { createMetrics } from '../observability/metrics.js';
import { syncCatalog } from './catalog-sync.js';
import { startSink, SINK_GROUP } from './role.js';
import { roleHealth } from '../roles/health.js';
import { retryTransient } from '../roles/retry.js';

export interface SinkRoleOptions {
  catalogPath?: string;
  sessionTimeoutMs?: number;
}

export function sinkRole(o: SinkRoleOptions = {}): Role {
  return {
    name: 'sink',
    async start({ config, log, metrics, readiness }: RoleContext): Promise<RunningRole> {
      const pool = createPool(config.database, { applicationName: 'meterline-sink' });
      const health = roleHealth('sink', readiness);
      // The catalogue is optional here: it only feeds the analyst views' meter table. A bad
      // file is a configuration error (exit); a database still starting up is waited for.
      const path = o.catalogPath ?? config.catalogPath;
      if (path) {
        const catalog = await loadCatalog(path);
        await retryTransient('sink: catalogue sync', () => syncCatalog(pool, catalog), {
          log,
          onRetry: (err) => health.set('catalogue', `cannot sync the catalogue: ${(err as Error).message}`),
        });
        health.set('catalogue', undefined);
      }
      const kafka = createKafka(config.kafka, { role: 'sink', log: kafkaLogTo(log) });
      const names = await prepareTopics(kafka, config, log);
      const sink = await startSink({
        kafka,
        pool,
        serde: await createSerde(config),
        topics: { rollups: names.rollups, dlq: names.dlq },
        log,
        health,
        // The process's registry (served on /metrics); a private one only without it (tests).
        metrics: metrics ?? createMetrics(),
        groupId: `${config.kafka.topicPrefix}${SINK_GROUP}`,
        ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
      });
      return {
        async stop() {
          await sink.stop();
          await pool.end();
        },
      };
    },
  };
}
