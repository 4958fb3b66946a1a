// Explain (SPEC §10, §12: line → rollups → Kafka offsets) reads the invoice, the line, the count
// of its parts, a page of them and their offset ranges in several statements. A writer that
// commits between every two of them (new usage and the draft recomputed with it, or the period
// finalized) must not make the parts disagree with the line they are shown under: they add up to
// the line's quantity as the line states it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { recomputeCustomer, syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { explainInvoiceLine, type Explanation } from '../../invoicing/explain.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { Decimal } from '../../lib/decimal.js';
import { at, catalog, requestsPart } from './fixtures.js';
import { busyPool } from './busy-pool.js';

let db: FreshDb;
let now = Date.parse('2026-10-20T00:00:00Z');
const ctx: InvoicingContext = { catalog: catalog(), now: () => now };
const PAGE = { limit: 1000, offset: 0 };

before(async () => {
  db = await freshDb('explain_snapshot');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
  await insertParts(db.pool, [
    { part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '150'), at: at() },
    { part: requestsPart('srv-1', '2026-10-03T10:00:00Z', '50'), at: at() },
  ]);
  assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['written']);
});
after(async () => db?.drop());

const acmeInvoiceId = async () => (await listInvoices(db.pool, { customer: 'acme', period: '2026-10' }))[0]!.id;

/** The requests the parts add up to (delta parts: state.sum), and the checks every explanation passes. */
function partsSum(e: Explanation): string {
  assert.equal(e.line.type, 'usage');
  assert.equal(e.parts.length, e.parts_total, 'the page holds every part the count saw');
  assert.equal(e.offsets.rollups.reduce((s, r) => s + r.parts, 0), e.parts_total, 'the offset ranges cover the parts counted');
  return e.parts.reduce((s, p) => s.plus((p.state as { sum: string }).sum), new Decimal(0)).toString();
}

test('usage stored and rated while explain reads: the parts add up to the line shown', async () => {
  const id = await acmeInvoiceId();
  // Each write: 1 000 more requests of srv-1 in October, and acme's draft recomputed with them.
  const { pool, writes } = busyPool(db.pool, async (i) => {
    const iso = new Date(Date.parse('2026-10-05T10:00:00Z') + i * 60_000).toISOString();
    await insertParts(db.pool, [{ part: requestsPart('srv-1', iso, '1000'), at: at() }]);
    assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['written']);
  });
  const { invoice, explanation } = await explainInvoiceLine(pool, id, 2, PAGE);
  assert.ok(writes() >= 5, `the writer committed between the statements (${writes()} times)`);
  assert.ok(invoice && explanation);
  // 150 + 50 before, then k × 1 000 for whatever k the moment read shows; the parts agree.
  const quantity = explanation.line.quantity as string;
  assert.equal(partsSum(explanation), quantity, JSON.stringify(explanation.parts.map((p) => p.part_id)));
  assert.equal(new Decimal(quantity).minus(200).mod(1000).toString(), '0', quantity);
  // The line as the invoice head lists it is the line explained (same moment).
  assert.deepEqual(invoice.lines[1], explanation.line);
});

test('the period finalized while explain reads: the draft line with its parts, or the final one with its own', async () => {
  const id = await acmeInvoiceId();
  const [draft] = await listInvoices(db.pool, { id });
  const quantity = draft!.lines[1]!.quantity as string;
  now = Date.parse('2026-11-02T00:00:00Z');
  let finalized = false;
  const { pool } = busyPool(db.pool, async () => {
    if (finalized) return;
    finalized = true;
    await finalizePeriod(db.pool, ctx, '2026-10', 'acme');
  });
  const { invoice, explanation } = await explainInvoiceLine(pool, id, 2, PAGE);
  assert.ok(finalized && invoice && explanation);
  // Finalizing marks the very parts of the draft billed and rates no new usage, so either moment
  // shows the same quantity, and parts that add up to it (a draft head read before the
  // finalization with parts read after it found none: all billed by then).
  assert.equal(explanation.line.quantity, quantity);
  assert.equal(partsSum(explanation), quantity, `${invoice.status}: ${JSON.stringify(explanation.selection)}`);
  const [final] = await listInvoices(db.pool, { id });
  assert.equal(final?.status, 'final');
});
