// PostgreSQL restarting under running `meterline sink` and `meterline rate` processes: neither
// exits (same pid after), both report not ready while it is away, and both store what arrived
// during the outage once it is back. Runs its own PostgreSQL (own stack dir and ports): the
// shared stack other engineers use is never restarted. Kafka is the shared one (own topics).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { waitUntil } from '../../stack/net.js';
import { postgres } from '../../stack/postgres.js';
import { down, up } from '../../stack/stack.js';
import { Child, runToEnd } from '../e2e/processes.js';
import { freePort } from '../stack/free-port.js';
import { rollupTopics, seriesPart } from '../sinks/rollup-topics.js';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';
import { ownStack, quiet } from '../stack/own-stack.js';

const { settings: s, dir } = await ownStack('pg-restart', (p) => [p.postgres]);
const children: Child[] = [];
after(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  await down(s, quiet, [postgres]);
  rmSync(dir, { recursive: true, force: true });
});

async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return 0;
  }
}

test('sink and rate stay up through a PostgreSQL restart, report not ready meanwhile, and catch up', { timeout: 240_000 }, async () => {
  await up(s, quiet, [postgres]);
  const url = `postgres://postgres@127.0.0.1:${s.ports.postgres}/meterline`;
  const t = await rollupTopics('pg-restart');
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, KAFKA_TOPIC_PREFIX: t.prefix, METERLINE_LOG_LEVEL: 'info' };
  delete env.SCHEMA_REGISTRY_URL; // the parts are produced single-object encoded
  const migrated = await runToEnd(['migrate'], env);
  assert.equal(migrated.code, 0, migrated.stderr);
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, CATALOG_TEXT);

  const ports = { sink: await freePort(), rate: await freePort() };
  const sink = new Child('sink', ['sink'], { ...env, PORT: String(ports.sink) });
  const rate = new Child('rate', ['rate', '--catalog', catalogFile], { ...env, PORT: String(ports.rate) });
  children.push(sink, rate);
  await Promise.all([sink.waitFor(/sink started/), rate.waitFor(/rate started/)]);
  const pids = { sink: sink.child.pid, rate: rate.child.pid };

  const db = new pg.Pool({ connectionString: url, max: 1 });
  db.on('error', () => undefined);
  const count = async (sql: string): Promise<number> => {
    try {
      return (await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
    } catch {
      return -1;
    }
  };
  const stored = () => count('SELECT count(*)::int AS n FROM rollup_parts');
  const rated = () => count('SELECT count(*)::int AS n FROM rating_parts');
  await t.produce([seriesPart(0, 'srv-1')]);
  await waitUntil(async () => (await stored()) === 1 && (await rated()) === 1, { what: 'the first part stored and rated', timeoutMs: 60_000, intervalMs: 100 });

  // PostgreSQL goes away (a fast shutdown: every connection is terminated, checked-out ones too).
  await down(s, quiet, [postgres]);
  await waitUntil(async () => (await readyz(ports.sink)) === 503 && (await readyz(ports.rate)) === 503, {
    what: 'both roles to report not ready',
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  // Usage keeps arriving while it is away.
  await t.produce([seriesPart(1, 'srv-1'), seriesPart(2, 'srv-1')]);
  await sink.waitFor(/dependency not available, retrying/, { timeoutMs: 60_000 });
  await rate.waitFor(/dependency not available, retrying/, { timeoutMs: 60_000 });
  await up(s, quiet, [postgres]);

  await waitUntil(async () => (await stored()) === 3 && (await rated()) === 3, { what: 'the parts of the outage stored and rated', timeoutMs: 90_000, intervalMs: 200 });
  await waitUntil(async () => (await readyz(ports.sink)) === 200 && (await readyz(ports.rate)) === 200, { what: 'both roles ready again', timeoutMs: 30_000, intervalMs: 200 });
  assert.equal(sink.child.exitCode, null, sink.tail());
  assert.equal(rate.child.exitCode, null, rate.tail());
  assert.deepEqual({ sink: sink.child.pid, rate: rate.child.pid }, pids);
  // 1 + 2 + 3 requests on acme's draft: each part rated once.
  const q = await db.query<{ q: string }>(
    "SELECT l.data->>'quantity' AS q FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.customer = 'acme' AND i.period = '2026-10' AND l.type = 'usage'",
  );
  assert.deepEqual(q.rows, [{ q: '6' }]);
  await db.end();

  // SIGTERM ends both promptly (nothing in flight to wait for).
  const t0 = Date.now();
  const [sinkCode, rateCode] = await Promise.all([sink.kill('SIGTERM'), rate.kill('SIGTERM')]);
  assert.deepEqual([sinkCode, rateCode], [0, 0]);
  assert.ok(Date.now() - t0 < 10_000, `exit took ${Date.now() - t0} ms`);
});
