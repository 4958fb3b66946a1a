// Usage alerts (SPEC §13) against a fresh database: one usage.alert per (customer, period,
// alert) as the draft changes, never a second one when the draft drops and rises again; set
// from the catalogue and replaced by PUT /v1/customers/:id; bad alerts are a 422 naming them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { recomputeCustomer } from '../../invoicing/drafts.js';
import { ProvisioningService } from '../../invoicing/provisioning.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { at, CATALOG_TEXT, requestsPart } from './fixtures.js';

// acme: monthly plan, 30.00 base fee, 100 free requests then 0.01 each, 10 % discount.
const TEXT = CATALOG_TEXT.replace(
  '    contract: { discount_pct: "10" }',
  '    contract: { discount_pct: "10" }\n    alerts: [ { amount: "28.10" }, { meter: requests, quantity: "300" } ]',
);
let db: FreshDb;
const ctx: InvoicingContext = { catalog: parseCatalog(TEXT), now: () => Date.parse('2026-10-20T00:00:00Z') };
let service: ProvisioningService;

before(async () => {
  db = await freshDb('invoicing_alerts');
  await seedFromCatalog(db.pool, ctx.catalog);
  service = new ProvisioningService(db.pool, ctx);
  // A webhook subscribed to usage.alert: every alert event gets a delivery row with it.
  await db.pool.query("INSERT INTO webhooks (id, url, events, secret_enc) VALUES ('wh_t', 'https://hooks.example/x', '{usage.alert}', '\\x00')");
});
after(async () => db?.drop());

const alerts = async () =>
  (await db.pool.query<{ data: Record<string, unknown> }>("SELECT data FROM billing_events WHERE type = 'usage.alert' ORDER BY seq")).rows.map((r) => r.data);
const add = async (iso: string, sum: string) => {
  await insertParts(db.pool, [{ part: requestsPart('srv-1', iso, sum), at: at() }]);
  await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']);
};

test('each alert fires once when the draft reaches it, and never again in that period', async () => {
  await add('2026-10-02T10:00:00Z', '200');
  // 200 − 100 free = 100 × 0.01 = 1.00; 31.00 − 3.10 discount = 27.90 < 28.10; 200 < 300 requests
  assert.deepEqual(await alerts(), []);

  await add('2026-10-03T10:00:00Z', '25');
  // 225 requests: 1.25 usage; 31.25 − 3.13 (3.125 rounded half up) = 28.12 ≥ 28.10 → the amount alert
  let got = await alerts();
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]?.alert, { amount: '28.10' });
  assert.equal(got[0]?.total_excluding_tax, '28.12');
  assert.equal(got[0]?.currency, 'USD');
  assert.deepEqual(got[0]?.period, { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' });

  await add('2026-10-04T10:00:00Z', '100');
  // 325 requests ≥ 300 → the meter alert; the amount alert has fired already
  got = await alerts();
  assert.equal(got.length, 2);
  assert.deepEqual(got[1]?.alert, { meter: 'requests', quantity: '300' });
  assert.equal(got[1]?.quantity, '325');

  // The draft drops below both (a 90 % discount) and rises again (back to 10 %): no new event.
  const put = (pct: string) =>
    service.putCustomer('acme', JSON.stringify({ contract: { discount_pct: pct }, alerts: [{ amount: '28.10' }, { meter: 'requests', quantity: '300' }] }));
  await put('90');
  await put('10');
  await recomputeCustomer(db.pool, ctx, 'acme', ['2026-10']);
  assert.equal((await alerts()).length, 2);
  const deliveries = await db.pool.query("SELECT 1 FROM webhook_deliveries WHERE webhook_id = 'wh_t'");
  assert.equal(deliveries.rowCount, 2, 'one delivery per alert event');
});

test('an alert added over the API fires at once when the current draft already reaches it', async () => {
  const r = await service.putCustomer('acme', JSON.stringify({ contract: { discount_pct: '10' }, alerts: [{ meter: 'requests', quantity: '325' }] }));
  assert.deepEqual(r.customer.alerts, [{ meter: 'requests', quantity: '325' }]);
  const got = await alerts();
  assert.equal(got.length, 3);
  assert.deepEqual(got[2]?.alert, { meter: 'requests', quantity: '325' });
});

test('bad alerts are refused naming each, and nothing changes', async () => {
  const before = await db.pool.query('SELECT alerts FROM customer_alerts WHERE customer = $1', ['acme']);
  await assert.rejects(
    service.putCustomer('acme', JSON.stringify({ alerts: [{ meter: 'nope', quantity: '5' }, { amount: '-1' }, { amount: '1', meter: 'requests' }, 'x'] })),
    (err: Error & { problems?: { path: string }[] }) => {
      const paths = (err.problems ?? []).map((p) => p.path);
      assert.deepEqual(paths, ['alerts[0].meter', 'alerts[1].amount', 'alerts[2]', 'alerts[3]']);
      return true;
    },
  );
  const after = await db.pool.query('SELECT alerts FROM customer_alerts WHERE customer = $1', ['acme']);
  assert.deepEqual(after.rows, before.rows);
});
