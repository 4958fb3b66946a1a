// A fresh, fully migrated database per test file on the local stack's PostgreSQL, dropped at
// the end: tests never share rows, and never touch the developer's `meterline` database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../config/env.js';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';

export interface FreshDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function freshDb(label: string): Promise<FreshDb> {
  const base = new URL(loadConfig().database.url);
  const name = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
  const pool = createPool({ url, ssl: false, poolSize: 4 }, { applicationName: `test-${label}` });
  const client = await pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const a = new pg.Client({
        connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString(),
      });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
