// One place that turns the database settings of Config into a pg Pool, so TLS and pool size
// are honoured the same way by every role. pg returns numeric/bigint columns as strings,
// which is what exact decimals need: no type parser is changed here.
import pg from 'pg';
import type { DatabaseConfig } from '../config/env.js';

export interface PoolOptions {
  /** Shown in pg_stat_activity, e.g. `meterline-sink`. */
  applicationName?: string;
  /** Overrides DATABASE_POOL_SIZE (e.g. 1 for a one-shot command). */
  max?: number;
}

export function createPool(db: DatabaseConfig, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: db.url,
    ssl: db.ssl === false ? false : db.ssl,
    max: opts.max ?? db.poolSize,
    application_name: opts.applicationName ?? 'meterline',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one (a restart of PostgreSQL mid-transaction): the pool listens only to
  // idle clients, and an 'error' event nobody listens to ends the process. The query in flight
  // rejects with the same error, which is where the caller learns of it; the pool discards the
  // broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
