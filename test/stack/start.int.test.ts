// `meterline start` with the services given in the environment (as `npm test` provides them):
// it must not touch the local stack, must migrate, serve GET /healthz on PORT, and exit 0 on
// SIGTERM after stopping its roles. It gets an empty database of its own, dropped afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { join } from 'node:path';
import { loadConfig } from '../../config/env.js';
import { createPool } from '../../db/pool.js';
import { loadMigrations } from '../../db/migrate.js';
import { waitUntil } from '../../stack/net.js';
import { freePort } from './free-port.js';

const root = join(import.meta.dirname, '..', '..');

test('start migrates, serves /healthz and stops cleanly on SIGTERM', { timeout: 180_000 }, async (t) => {
  const config = loadConfig();
  const port = await freePort();
  const name = `t_start_${randomBytes(4).toString('hex')}`;
  const at = (db: string) => Object.assign(new URL(config.database.url), { pathname: `/${db}` }).toString();
  const admin = new pg.Client({ connectionString: at('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const env = {
    ...process.env,
    PORT: String(port),
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    DATABASE_URL: at(name),
    REDIS_URL: config.redisUrl,
    METERLINE_CATALOG: join(root, 'examples', 'catalog.yaml'), // roles that need one get the example
  };
  const child = spawn(process.execPath, [join(root, 'bin', 'meterline.js'), 'start'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let body: unknown;
  await waitUntil(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      body = await res.json();
      return res.status === 200;
    },
    {
      what: 'GET /healthz',
      timeoutMs: 150_000,
      intervalMs: 250,
      abort: () => (child.exitCode !== null ? `start exited early:\n${stderr}` : undefined),
    },
  );
  assert.deepEqual(body, { status: 'ok' });
  assert.doesNotMatch(stderr, /bringing the local stack up/); // services were given
  // Every migration the code knows is recorded in the database.
  const pool = createPool({ ...config.database, url: at(name) }, { max: 1 });
  try {
    const { rows } = await pool.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.id),
      loadMigrations().map((m) => m.id),
    );
  } finally {
    await pool.end();
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});
