// A listed invoice is one moment of the draft: its total is the sum of the lines it is listed
// with, even when the rate role commits a recompute of that draft while the list is being read.
// (test/e2e/nagios once saw a draft with the usage line 1.50 and the total 27.00 of the draft
// before it: the head and the lines were read by two statements, a commit between them.)
// The recompute here is committed deterministically after the list's first statement, the
// moment that race needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../../sinks/fresh-db.js';
import { seedFromCatalog } from '../../../invoicing/seed.js';
import { insertParts } from '../../../invoicing/db/parts.js';
import { recomputeCustomer, syncAll } from '../../../invoicing/drafts.js';
import { listInvoices } from '../../../invoicing/db/invoices.js';
import type { Queryable } from '../../../invoicing/db/tx.js';
import type { InvoicingContext } from '../../../invoicing/context.js';
import { Decimal } from '../../../lib/decimal.js';
import { at, catalog, requestsPart } from '../fixtures.js';

let db: FreshDb;
const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-10-20T00:00:00Z') };

before(async () => {
  db = await freshDb('invoices_snapshot');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
});
after(async () => db?.drop());

/** The pool, but `between` runs (and commits) right after the first statement of a read returns. */
function interleaved(between: () => Promise<void>): Queryable & { statements: number } {
  const query = db.pool.query.bind(db.pool) as (...args: unknown[]) => Promise<unknown>;
  const wrapper = {
    statements: 0,
    query: async (...args: unknown[]) => {
      const result = await query(...args);
      if (++wrapper.statements === 1) await between();
      return result;
    },
  };
  return wrapper as unknown as Queryable & { statements: number };
}

const view = (inv: { lines: Array<{ type: string; amount: string }>; total: string } | undefined) => ({
  lines: inv?.lines.map((l) => `${l.type}:${l.amount}`),
  total: inv?.total,
});

test('a draft recomputed while it is listed is listed before or after, never half of each', async () => {
  // Before (fixture catalogue, acme on `monthly` with a 10 % discount, no usage):
  // base 30.00, discount −3.00 → total 27.00.
  const before = { lines: ['base_fee:30.00', 'discount:-3.00'], total: '27.00' };
  assert.deepEqual(view((await listInvoices(db.pool, { customer: 'acme', period: '2026-10' }))[0]), before);

  // After: 250 requests − 100 free = 150 × 0.01 = 1.50; subtotal 31.50; discount −3.15;
  // total 28.35.
  const after = { lines: ['base_fee:30.00', 'usage:1.50', 'discount:-3.15'], total: '28.35' };
  const reader = interleaved(async () => {
    await insertParts(db.pool, [{ part: requestsPart('srv-1', '2026-10-05T10:00:00Z', '250'), at: at() }]);
    assert.deepEqual(await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']), ['written']);
  });
  const listed = (await listInvoices(reader, { customer: 'acme', period: '2026-10' }))[0];
  assert.ok(reader.statements >= 1);

  // Whichever moment it shows, the total is the sum of its lines (no tax in this catalogue).
  const sum = (listed?.lines ?? []).reduce((s, l) => s.plus(l.amount), new Decimal(0));
  assert.equal(sum.toFixed(2), listed?.total, `lines ${JSON.stringify(view(listed).lines)} listed with total ${listed?.total}`);
  assert.ok([before, after].some((v) => JSON.stringify(v) === JSON.stringify(view(listed))), JSON.stringify(view(listed)));
  // And the recompute was committed: the next list shows it.
  assert.deepEqual(view((await listInvoices(db.pool, { customer: 'acme', period: '2026-10' }))[0]), after);
});
