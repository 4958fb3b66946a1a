// Drafts that time alone brings (draft-clock.ts): only the customers a period start or a
// subscription start concerns are recomputed, and nothing when nothing is due. Expected drafts
// worked by hand from the fixture catalogue (test/invoicing/fixtures.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { customersDue, nextDueMs, recomputeDue, sleepFor, startMarks, MAX_SLEEP_MS } from '../../invoicing/draft-clock.js';
import { downIntervalsFor } from '../../nagios/store/intervals.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { catalog } from './fixtures.js';

let db: FreshDb;
const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-10-20T00:00:00Z') };
const ms = (iso: string) => Date.parse(iso);
const fail = (customer: string, err: unknown) => assert.fail(`${customer}: ${(err as Error).message}`);
const drafts = async () => (await listInvoices(db.pool, {})).map((i) => `${i.customer}:${i.period.start.slice(0, 7)}:${i.total}`).sort();

before(async () => {
  db = await freshDb('draft_clock');
  await seedFromCatalog(db.pool, ctx.catalog);
});
after(async () => db?.drop());

test('nothing is due between starts; a subscription start brings its customer only', async () => {
  assert.deepEqual(await customersDue(db.pool, ctx, ms('2026-10-05T00:00:00Z'), ms('2026-10-10T12:29:59Z')), []);
  const due = await recomputeDue(db.pool, ctx, { sinceMs: ms('2026-10-10T12:00:00Z'), statesSince: undefined }, ms('2026-10-10T13:00:00Z'), fail);
  assert.deepEqual(due, { customers: ['beta'], marks: { sinceMs: ms('2026-10-10T13:00:00Z'), statesSince: undefined } });
  // beta: 2026-10-10T12:30 → 2026-10-12T03:00 = 38.5 h → ceil 39 × 0.12 = 4.68; acme untouched (no draft yet)
  assert.deepEqual(await drafts(), ['beta:2026-10:4.68']);
});

test('a period start brings every customer subscribed in the new period, and only its drafts', async () => {
  const due = await recomputeDue(db.pool, ctx, { sinceMs: ms('2026-10-31T23:59:00Z'), statesSince: undefined }, ms('2026-11-01T00:01:00Z'), fail);
  assert.deepEqual(due.customers, ['acme']);
  // The span touches October and November: acme gets both (30.00 base fee − 10 % discount = 27.00
  // each; no start-up sync ran in this test); beta's subscription ended in October: nothing new.
  assert.deepEqual(await drafts(), ['acme:2026-10:27.00', 'acme:2026-11:27.00', 'beta:2026-10:4.68']);
});

test('the next wake is the nearer of the next period start and the next subscription start, within bounds', async () => {
  assert.equal(await nextDueMs(db.pool, ctx, ms('2026-10-05T00:00:00Z')), ms('2026-10-10T12:30:00Z'));
  assert.equal(await nextDueMs(db.pool, ctx, ms('2026-10-15T00:00:00Z')), ms('2026-11-01T00:00:00Z'));
  assert.equal(sleepFor(0, 10 * 3_600_000), MAX_SLEEP_MS);
  assert.equal(sleepFor(5000, 5200), 1000);
  assert.equal(sleepFor(0, 42_000), 42_000);
});

test('host states stored by a process without the catalogue bring the customers of their servers, once', async () => {
  const sla: InvoicingContext = { ...ctx, downIntervals: downIntervalsFor };
  const marks = await startMarks(db.pool, sla); // no states yet
  const nowMs = ms('2026-10-20T00:00:00Z');
  assert.deepEqual((await recomputeDue(db.pool, sla, marks, nowMs, fail)).customers, []);
  await db.pool.query(`INSERT INTO nagios_host_states (host, server_id, ts, state, source) VALUES ('srv-1', 'srv-1', '2026-10-18T10:00:00Z', 'DOWN', 'alert')`);
  const first = await recomputeDue(db.pool, sla, marks, nowMs, fail);
  assert.deepEqual(first.customers, ['acme'], 'srv-1 is acme\'s');
  assert.ok(first.marks.statesSince, 'the states watermark moved to the state just read');
  // Read again within the one-minute look-back (a state committed late is not missed)…
  assert.deepEqual((await recomputeDue(db.pool, sla, first.marks, nowMs, fail)).customers, ['acme']);
  // …and no more once it is older than that.
  await db.pool.query(`UPDATE nagios_host_states SET received_at = received_at - interval '2 minutes'`);
  assert.deepEqual((await recomputeDue(db.pool, sla, first.marks, nowMs, fail)).customers, []);
});
