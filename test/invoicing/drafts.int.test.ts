// Drafts, finalization and late-usage adjustments against a fresh database: amounts worked by
// hand from the fixture catalogue (test/invoicing/fixtures.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { recomputeCustomer, syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { at, catalog, requestsPart } from './fixtures.js';

let db: FreshDb;
let nowMs = Date.parse('2026-10-20T00:00:00Z');
const ctx: InvoicingContext = { catalog: catalog(), now: () => nowMs };

before(async () => {
  db = await freshDb('invoicing_drafts');
  await seedFromCatalog(db.pool, ctx.catalog);
});
after(async () => db?.drop());

const store = async (...parts: ReturnType<typeof requestsPart>[]) => {
  await insertParts(db.pool, parts.map((part) => ({ part, at: at() })));
};
const invoice = async (customer: string, period: string) => (await listInvoices(db.pool, { customer, period }))[0];
const amounts = (inv: Awaited<ReturnType<typeof invoice>>) => inv?.lines.map((l) => `${l.type}:${l.amount}`);

test('seeding is idempotent and drafts exist for every customer with a subscription, usage or not', async () => {
  const again = await seedFromCatalog(db.pool, ctx.catalog);
  assert.deepEqual(again, { customers: 0, subscriptions: 0 });
  await syncAll(db.pool, ctx);
  const acme = await invoice('acme', '2026-10');
  // 30.00 base fee, no usage; discount 10% of 30.00 = −3.00
  assert.deepEqual(amounts(acme), ['base_fee:30.00', 'discount:-3.00']);
  assert.equal(acme?.total, '27.00');
  // beta: 2026-10-10T12:30 → 2026-10-12T03:00 = 38.5 h → ceil 39 × 0.12 = 4.68
  const beta = await invoice('beta', '2026-10');
  assert.deepEqual(amounts(beta), ['base_fee:4.68']);
  assert.equal(beta?.status, 'draft');
});

test('usage parts are recomputed into the draft, and a replay changes nothing', async () => {
  const parts = [
    requestsPart('srv-1', '2026-10-02T10:00:00Z', '150'),
    requestsPart('srv-1', '2026-10-03T10:00:00Z', '50'),
    requestsPart('srv-1', '2026-10-04T10:00:00Z', '25'),
  ];
  await store(...parts);
  assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['written']);
  // 225 requests − 100 free = 125 × 0.01 = 1.25; subtotal 31.25; discount −3.125 → −3.13; total 28.12
  const acme = await invoice('acme', '2026-10');
  assert.deepEqual(amounts(acme), ['base_fee:30.00', 'usage:1.25', 'discount:-3.13']);
  assert.equal(acme?.subtotal, '31.25');
  assert.equal(acme?.total, '28.12');
  assert.equal(acme?.lines[1]?.quantity, '225');

  await store(...parts); // replayed parts: same part ids
  assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['unchanged']);
  assert.equal((await invoice('acme', '2026-10'))?.total, '28.12');
});

test('finalization freezes the invoice in the database; late usage becomes adjustments on the next invoice', async () => {
  await assert.rejects(finalizePeriod(db.pool, ctx, '2026-10'), /has not ended/);
  nowMs = Date.parse('2026-11-15T00:00:00Z');
  const results = await finalizePeriod(db.pool, ctx, '2026-10');
  assert.deepEqual(results.map((r) => `${r.customer}:${r.result}`), ['acme:finalized', 'beta:finalized']);
  const final = await invoice('acme', '2026-10');
  assert.equal(final?.status, 'final');
  await assert.rejects(db.pool.query("UPDATE invoices SET total = 0 WHERE customer = 'acme' AND period = '2026-10'"), /is final/);
  await assert.rejects(db.pool.query(`UPDATE invoice_lines SET amount = 0 WHERE invoice_id = '${final?.id}'`), /final invoice/);
  await assert.rejects(db.pool.query(`DELETE FROM invoices WHERE id = '${final?.id}'`), /is final/);

  // 75 late requests in October: all of October is 300 → 200 billable → 2.00; billed 1.25 → +0.75
  await store(requestsPart('srv-1', '2026-10-20T10:00:00Z', '75'));
  assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['written']);
  const nov = await invoice('acme', '2026-11');
  // November: base 30.00 + adjustment 0.75 = 30.75; discount −3.075 → −3.08; total 27.67
  assert.deepEqual(amounts(nov), ['base_fee:30.00', 'adjustment:0.75', 'discount:-3.08']);
  assert.deepEqual(nov?.lines[1], { type: 'adjustment', server_id: 'srv-1', meter: 'requests', period_of_usage: '2026-10', amount: '0.75' });
  assert.equal(nov?.total, '27.67');
  assert.deepEqual(await invoice('acme', '2026-10'), final, 'the final invoice is unchanged');

  // 100 more late: October 400 → 300 billable → 3.00 − 1.25 = 1.75 (recomputed, not added)
  await store(requestsPart('srv-1', '2026-10-21T10:00:00Z', '100'));
  await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']);
  assert.deepEqual(amounts(await invoice('acme', '2026-11')), ['base_fee:30.00', 'adjustment:1.75', 'discount:-3.18']);

  // November final; 50 more late October requests: 450 → 3.50 − (1.25 + 1.75) = 0.50 on December
  nowMs = Date.parse('2026-12-05T00:00:00Z');
  await finalizePeriod(db.pool, ctx, '2026-11', 'acme');
  await store(requestsPart('srv-1', '2026-10-22T10:00:00Z', '50'));
  await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']);
  assert.deepEqual(amounts(await invoice('acme', '2026-12')), ['base_fee:30.00', 'adjustment:0.50', 'discount:-3.05']);
});
