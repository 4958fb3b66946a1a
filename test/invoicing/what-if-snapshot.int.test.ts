// What-if rates a customer's draft twice (current and proposed catalogue) in many statements; a
// writer that commits usage between every two of them must change nothing in the comparison:
// both sides are rated from the same moment, so the difference is the catalogue's alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { parseCatalog } from '../../catalog/load.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { whatIf, type WhatIfSide } from '../../invoicing/what-if.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { at, catalog, CATALOG_TEXT, requestsPart } from './fixtures.js';
import { busyPool } from './busy-pool.js';

let db: FreshDb;
const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-10-20T00:00:00Z') };
const proposed = parseCatalog(CATALOG_TEXT.replace('amount: "30.00", per: month', 'amount: "40.00", per: month'));

before(async () => {
  db = await freshDb('what_if_snapshot');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
});
after(async () => db?.drop());

/** The pool, with 1 000 more requests of srv-1 committed (by another connection) after every statement it runs. */
function busy(): { pool: pg.Pool; committed: () => number } {
  const { pool, writes } = busyPool(db.pool, async (minute) => {
    const iso = new Date(Date.parse('2026-10-05T10:00:00Z') + minute * 60_000).toISOString();
    await insertParts(db.pool, [{ part: requestsPart('srv-1', iso, '1000'), at: at() }]);
  });
  return { pool, committed: writes };
}

test('usage committed while what-if rates is on neither side or on both', async () => {
  const { pool, committed } = busy();
  const result = await whatIf(pool, ctx, proposed, '2026-10', 'acme');
  assert.ok(committed() >= 4, `the writer committed between the statements (${committed()} parts)`);
  const acme = result.customers[0];
  const usage = (side: WhatIfSide | null | undefined) => side?.lines.find((l) => l.type === 'usage')?.quantity ?? 'none';
  // The same usage on both sides, whatever moment it is.
  assert.equal(usage(acme?.current), usage(acme?.proposed));
  // acme: monthly base 30.00 → 40.00, 100 free requests at 0.01, 10 % discount. With k parts of
  // 1 000 requests on both sides, usage = (1000k − 100) × 0.01 = 10k − 1.00:
  //   current  30.00 + 10k − 1.00 = 29.00 + 10k, discount −(2.90 + k) → total 26.10 + 9k;
  //   proposed 40.00 + 10k − 1.00 = 39.00 + 10k, discount −(3.90 + k) → total 35.10 + 9k;
  // difference 9.00 for every k (no usage: 27.00 vs 36.00, also 9.00). A proposed side that saw
  // j more parts than the current one would differ by 9.00 + 9j.
  assert.equal(acme?.difference, '9.00', JSON.stringify(result));
});
