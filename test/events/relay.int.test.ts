// The outbox relay against the real broker, registry and database: finalized invoices reach
// billing.documents once each, even when the relay is SIGKILLed between the database commit and
// the Kafka write, inside the Kafka transaction, and after the Kafka commit but before the rows
// are marked sent. Read with read_committed, as SPEC §13's consumers are told to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { createSerde } from '../../avro/registry.js';
import type { AvroSerde } from '../../avro/serde.js';
import { createLogger } from '../../observability/log.js';
import { startRelay } from '../../events/relay.js';
import { enqueueDocumentEvent } from '../../events/outbox.js';
import { withTransaction } from '../../invoicing/db/tx.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { syncAll } from '../../invoicing/drafts.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { collect } from '../kafka/read-topic.js';
import { catalog } from '../invoicing/fixtures.js';
import { createFreshTopics } from '../kafka/fresh-topics.js';

const config = loadConfig();
const kafka = createKafka(config.kafka, { role: 'relay-test', level: 'nothing' });
const suffix = randomBytes(4).toString('hex');
const topic = `t-relay-${suffix}.billing.documents`;
const group = `t-relay-${suffix}`;
const log = createLogger('warn', 'relay-test');
let db: FreshDb;
let serde: AvroSerde;
const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-11-02T00:00:00Z') };

before(async () => {
  db = await freshDb('events_relay');
  serde = await createSerde(config);
  const admin = kafka.admin();
  await admin.connect();
  // One partition: the sentinel document below arrives after everything sent before it.
  await createFreshTopics(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  await admin.disconnect();
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
});
after(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await db?.drop();
});

const unpublished = async () =>
  (await db.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM billing_events WHERE published_at IS NULL")).rows[0]?.n;

/** Runs the relay in a child process that kills itself with SIGKILL at `crashAt`. */
function crashingRelay(crashAt: string): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./relay-child.ts', import.meta.url).pathname], {
    env: { ...process.env, RELAY_DATABASE_URL: db.url, RELAY_TOPIC: topic, RELAY_GROUP: group, RELAY_CRASH_AT: crashAt },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve({ signal, out })));
}

test('each finalized invoice is on billing.documents exactly once across three relay crashes', { timeout: 120_000 }, async () => {
  const results = await finalizePeriod(db.pool, ctx, '2026-10');
  const finalized = results.filter((r) => r.result === 'finalized').map((r) => r.invoice).sort();
  // The fixture has two customers with October invoices (acme, beta).
  assert.equal(finalized.length, 2);
  assert.equal(await unpublished(), '2');

  for (const point of ['afterClaim', 'afterSend', 'afterKafkaCommit']) {
    const r = await crashingRelay(point);
    assert.equal(r.signal, 'SIGKILL', `relay child should die by SIGKILL at ${point}`);
    assert.match(r.out, new RegExp(`crashing at ${point}`));
    // Whatever reached Kafka, the database still says "not sent": the next relay must decide.
    assert.equal(await unpublished(), '2', `after a crash at ${point}`);
  }

  const reader = await collect(kafka, [topic]);
  const relay = startRelay({ kafka, pool: db.pool, serde, topic, groupId: group, log, pollMs: 100 });
  try {
    // A sentinel enqueued after recovery: once it is read, everything committed before it was.
    await withTransaction(db.pool, (tx) =>
      enqueueDocumentEvent(tx, { kind: 'invoice', id: 'sentinel', customer: 'zz', json: { id: 'sentinel', currency: 'USD', total: '0.00', lines: [] } }),
    );
    await reader.until(() => reader.got.some((m) => m.message.headers?.document_id?.toString() === 'sentinel'), 'the sentinel document', 60_000);
  } finally {
    await relay.stop();
    await reader.stop();
  }
  const ids = reader.got.map((m) => m.message.headers?.document_id?.toString()).filter((id) => id !== 'sentinel');
  assert.deepEqual(ids.sort(), finalized, 'each invoice once, none twice, none lost');
  assert.equal(await unpublished(), '0');

  // The record is the Avro document, Confluent-framed, keyed by customer, with decimal strings.
  const first = reader.got.find((m) => m.message.headers?.document_id?.toString() === finalized[0]);
  assert.ok(first?.message.value);
  if (serde.format === 'confluent') assert.equal(first.message.value[0], 0, 'Confluent magic byte');
  const doc = (await serde.decode('document', topic, first.message.value)) as Record<string, unknown>;
  assert.equal(doc.id, finalized[0]);
  assert.equal(first.message.key?.toString(), doc.customer);
  assert.equal(doc.type, 'invoice');
  assert.equal(doc.status, 'final');
  assert.equal(JSON.parse(doc.document_json as string).total, doc.total);
  assert.match(doc.total as string, /^-?\d+\.\d{2}$/);
});
