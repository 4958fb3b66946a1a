// A usage alert on a meter the customer's plan does not charge (SPEC §13: "the customer's
// quantity of `meter` in the open period (all servers) reaches `quantity`" — the quantity of
// usage, whether or not a price is attached to it). The draft has no usage line for such a
// meter, so the alert must be measured on the usage itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { recomputeCustomer } from '../../invoicing/drafts.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { at, CATALOG_TEXT, requestsPart } from './fixtures.js';

// `errors` is metered but priced by no plan; acme (monthly plan, srv-1) alerts at 7 errors.
const TEXT = CATALOG_TEXT.replace(
  '  requests: { metric: http_requests, kind: delta, unit: request }',
  '  requests: { metric: http_requests, kind: delta, unit: request }\n  errors: { metric: http_errors, kind: delta, unit: error }',
).replace('    contract: { discount_pct: "10" }', '    contract: { discount_pct: "10" }\n    alerts: [ { meter: errors, quantity: "7" } ]');
let db: FreshDb;
const ctx: InvoicingContext = { catalog: parseCatalog(TEXT), now: () => Date.parse('2026-10-20T00:00:00Z') };

before(async () => {
  db = await freshDb('invoicing_alerts_uncharged');
  await seedFromCatalog(db.pool, ctx.catalog);
});
after(async () => db?.drop());

const alerts = async () =>
  (await db.pool.query<{ data: Record<string, unknown> }>("SELECT data FROM billing_events WHERE type = 'usage.alert' ORDER BY seq")).rows.map((r) => r.data);
const addErrors = async (iso: string, sum: string) => {
  await insertParts(db.pool, [{ part: { ...requestsPart('srv-1', iso, sum), meter: 'errors' }, at: at() }]);
  await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']);
};

test('an alert on an unpriced meter fires when the usage reaches it, though no invoice line shows that meter', async () => {
  await addErrors('2026-10-02T10:00:00Z', '3');
  assert.deepEqual(await alerts(), [], '3 errors < 7');
  await addErrors('2026-10-03T10:00:00Z', '4');
  // 3 + 4 = 7 errors: reached at equality → one usage.alert carrying the quantity.
  const got = await alerts();
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]?.alert, { meter: 'errors', quantity: '7' });
  assert.equal(got[0]?.quantity, '7');
  const [draft] = await listInvoices(db.pool, { customer: 'acme' });
  assert.deepEqual(draft?.lines.map((l) => l.type), ['base_fee', 'discount'], 'the draft prices no errors');
});
