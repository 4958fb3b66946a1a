// Kafka under running `meterline sink` and `meterline rate` processes: they start against a
// broker that has just been formatted and started (still electing leaders for the topics they
// create: UNKNOWN_TOPIC_OR_PARTITION, "does not host this topic-partition"), then the broker is
// stopped and started again. Neither process exits (same pid), both report not ready while it
// is away, and what is produced afterwards is stored and rated once. Runs its own broker (own
// stack dir and ports); the database is a fresh one on the shared PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../../stack/net.js';
import { kafka } from '../../stack/kafka.js';
import { down, up } from '../../stack/stack.js';
import { Child } from '../e2e/processes.js';
import { freePort } from '../stack/free-port.js';
import { freshDb } from '../sinks/fresh-db.js';
import { rollupTopics, seriesPart } from '../sinks/rollup-topics.js';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';
import { ownStack, quiet } from '../stack/own-stack.js';

const { settings: s, dir } = await ownStack('kafka-restart', (p) => [p.kafka, p.kafkaController]);
const children: Child[] = [];
after(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  await down(s, quiet, [kafka]);
  rmSync(dir, { recursive: true, force: true });
});

async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return 0;
  }
}

test('sink and rate start on a fresh broker and stay up through its restart', { timeout: 420_000 }, async () => {
  await up(s, quiet, [kafka]);
  const db = await freshDb('kafka_restart');
  after(() => db.drop());
  const brokers = `127.0.0.1:${s.ports.kafka}`;
  const prefix = `t${randomBytes(4).toString('hex')}.kafka-restart.`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, METERLINE_LOG_LEVEL: 'info' };
  delete env.SCHEMA_REGISTRY_URL; // the parts are produced single-object encoded
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, CATALOG_TEXT);

  // Straight onto the fresh broker: the roles create the topics and must wait for their leaders.
  const ports = { sink: await freePort(), rate: await freePort() };
  const sink = new Child('sink', ['sink'], { ...env, PORT: String(ports.sink) });
  const rate = new Child('rate', ['rate', '--catalog', catalogFile], { ...env, PORT: String(ports.rate) });
  children.push(sink, rate);
  await Promise.all([sink.waitFor(/sink started/, { timeoutMs: 120_000 }), rate.waitFor(/rate started/, { timeoutMs: 120_000 })]);
  const pids = { sink: sink.child.pid, rate: rate.child.pid };
  const output = { sink: '', rate: '' };
  sink.child.stderr?.on('data', (d: Buffer) => (output.sink += d.toString()));
  rate.child.stderr?.on('data', (d: Buffer) => (output.rate += d.toString()));
  const t = await rollupTopics('kafka-restart', { KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix });

  const count = async (table: string): Promise<number> => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;
  const both = async (n: number) => (await count('rollup_parts')) === n && (await count('rating_parts')) === n;
  await t.produce([seriesPart(0, 'srv-1')]);
  await waitUntil(() => both(1), { what: 'the first part stored and rated', timeoutMs: 90_000, intervalMs: 200 });
  // Starting on a fresh broker (coordinator loading, leaders being elected) is not an error.
  for (const [name, text] of Object.entries(output)) {
    const errors = text.split('\n').filter((l) => l.includes('"level":50'));
    assert.deepEqual(errors, [], `${name} logged start-up noise as errors`);
  }

  await down(s, quiet, [kafka]);
  await waitUntil(async () => (await readyz(ports.sink)) === 503 && (await readyz(ports.rate)) === 503, {
    what: 'both roles to report not ready',
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  await up(s, quiet, [kafka]);
  await t.produce([seriesPart(1, 'srv-1'), seriesPart(2, 'srv-1')]);
  await waitUntil(() => both(3), { what: 'the parts produced after the restart stored and rated', timeoutMs: 180_000, intervalMs: 250 });
  await waitUntil(async () => (await readyz(ports.sink)) === 200 && (await readyz(ports.rate)) === 200, { what: 'both roles ready again', timeoutMs: 60_000, intervalMs: 250 });
  assert.equal(sink.child.exitCode, null, sink.tail());
  assert.equal(rate.child.exitCode, null, rate.tail());
  assert.deepEqual({ sink: sink.child.pid, rate: rate.child.pid }, pids);
  // 1 + 2 + 3 requests on acme's draft: each part rated once.
  const q = await db.pool.query<{ q: string }>(
    "SELECT l.data->>'quantity' AS q FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.customer = 'acme' AND i.period = '2026-10' AND l.type = 'usage'",
  );
  assert.deepEqual(q.rows, [{ q: '6' }]);
});
