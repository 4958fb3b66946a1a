// Smoke test of the local TimescaleDB: the extension is there, a hypertable takes rows and
// time_bucket groups them. Uses its own table (dropped afterwards) in the `meterline` database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/env.js';
import { createPool } from '../../db/pool.js';

const pool = createPool(loadConfig().database, { max: 2, applicationName: 'test-stack' });
const table = `smoke_${randomBytes(4).toString('hex')}`;

after(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

test('the timescaledb extension is installed in the database', async () => {
  const { rows } = await pool.query<{ extname: string }>(
    "SELECT extname FROM pg_extension WHERE extname = 'timescaledb'",
  );
  assert.deepEqual(rows, [{ extname: 'timescaledb' }]);
});

test('a hypertable takes rows and time_bucket sums them per 5 minutes, exactly', async () => {
  await pool.query(
    `CREATE TABLE ${table} (ts timestamptz NOT NULL, server_id text NOT NULL, value numeric NOT NULL)`,
  );
  await pool.query(`SELECT create_hypertable('${table}', 'ts', chunk_time_interval => interval '1 day')`);
  await pool.query(
    `INSERT INTO ${table} (ts, server_id, value) VALUES
       ('2026-10-01T00:00:00Z', 'srv-1', 0.1),
       ('2026-10-01T00:04:59.999Z', 'srv-1', 0.2),
       ('2026-10-01T00:05:00Z', 'srv-1', 1.25),
       ('2026-10-01T00:09:00Z', 'srv-1', 2.5)`,
  );
  const { rows } = await pool.query<{ bucket: Date; total: string }>(
    `SELECT time_bucket('5 minutes', ts) AS bucket, sum(value)::text AS total FROM ${table} GROUP BY 1 ORDER BY 1`,
  );
  // By hand: [00:00, 00:05) holds 0.1 + 0.2 = 0.3 (numeric, not 0.30000000000000004);
  // [00:05, 00:10) holds 1.25 + 2.5 = 3.75. The window end is exclusive.
  assert.deepEqual(
    rows.map((r) => [r.bucket.toISOString(), r.total]),
    [
      ['2026-10-01T00:00:00.000Z', '0.3'],
      ['2026-10-01T00:05:00.000Z', '3.75'],
    ],
  );
  const { rows: ht } = await pool.query(
    'SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = $1',
    [table],
  );
  assert.equal(ht.length, 1);
});
