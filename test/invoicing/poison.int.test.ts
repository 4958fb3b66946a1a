// The rate role with a customer whose plan is gone from the catalogue (a catalogue change left
// a subscription on a plan it no longer has; rate-draft.ts refuses to rate it): that customer's
// parts are dead-lettered with the reason and counted, /readyz names the configuration error,
// and the partition moves on — the other customer's draft is rated from the same batch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../observability/log.js';
import { createMetrics } from '../../observability/metrics.js';
import { createReadiness } from '../../observability/readiness.js';
import { plainSerde } from '../../avro/serde.js';
import { roleHealth } from '../../roles/health.js';
import { startRate } from '../../invoicing/rate-role.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { freshDb } from '../sinks/fresh-db.js';
import { rollupTopics, seriesPart } from '../sinks/rollup-topics.js';
import { catalog } from './fixtures.js';

test("a customer on a plan the catalogue lost: its parts dead-lettered, /readyz says why, other customers rated", async () => {
  const t = await rollupTopics('rate-poison');
  const db = await freshDb('rate_poison');
  after(() => db.drop());
  const cat = catalog();
  await seedFromCatalog(db.pool, cat); // acme: srv-1 on plan monthly from 2026-10-01
  await db.pool.query("INSERT INTO customers (id, currency, source) VALUES ('gamma', 'USD', 'api')");
  await db.pool.query(
    "INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, source) VALUES ('sub_g', 'srv-9', 'gamma', 'gone', '2026-10-01T00:00:00Z', 'api')",
  );
  // Offsets 0, 1, 2: acme 1 request, gamma 2 requests, acme 3 requests.
  await t.produce([seriesPart(0, 'srv-1'), seriesPart(1, 'srv-9'), seriesPart(2, 'srv-1')]);

  const metrics = createMetrics();
  const readiness = createReadiness();
  let reached: () => void = () => undefined;
  const done = new Promise<void>((r) => (reached = r));
  const rate = await startRate({
    kafka: t.kafka,
    pool: db.pool,
    serde: plainSerde(),
    topics: { rollups: t.topics.rollups, dlq: t.topics.dlq },
    ctx: { catalog: cat, now: () => Date.UTC(2026, 9, 15) },
    log: createLogger('silent'),
    metrics,
    health: roleHealth('rate', readiness),
    groupId: `${t.prefix}meterline-rate`,
    onBatch: (info) => {
      if (info.partition === 0 && BigInt(info.nextOffset) >= 3n) reached();
    },
  });
  after(() => rate.stop());
  await done;

  // acme's draft has its 1 + 3 = 4 requests.
  const usage = await db.pool.query<{ q: string }>(
    "SELECT l.data->>'quantity' AS q FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.customer = 'acme' AND i.period = '2026-10' AND l.type = 'usage'",
  );
  assert.deepEqual(usage.rows, [{ q: '4' }]);
  // gamma has no draft, and its one part is on the DLQ with the reason and where it was read.
  const gamma = await db.pool.query("SELECT 1 FROM invoices WHERE customer = 'gamma'");
  assert.equal(gamma.rowCount, 0);
  const letters = await t.deadLetters(1);
  assert.equal(letters.length, 1);
  assert.match(letters[0]?.reason ?? '', /^rate: customer gamma: .*plan "gone"/);
  assert.equal(letters[0]?.origin?.offset, '1');
  // The part is kept: once the catalogue has the plan again, gamma's draft is rebuilt from it.
  const kept = await db.pool.query("SELECT 1 FROM rating_parts WHERE server_id = 'srv-9'");
  assert.equal(kept.rowCount, 1);

  const report = await readiness.check();
  assert.equal(report.ready, false);
  assert.match(report.checks.rate?.error ?? '', /rating: .*configuration error.*gamma: .*plan "gone"/);
  assert.equal((await metrics.unratableCustomers.get()).values[0]?.value, 1);
  const poison = (await metrics.poisonRecords.get()).values.find((v) => v.labels.role === 'rate' && v.labels.reason === 'unratable');
  assert.equal(poison?.value, 1);
});
