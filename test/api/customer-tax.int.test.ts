// Tax through the distributed path (SPEC §12.1, §12.2) against a fresh database: customers'
// billing and tax seeded from the catalogue and set by PUT /v1/customers/:id (422 naming each
// bad field), draft invoices carrying the tax line and the three totals, finalization keeping
// them. Amounts worked by hand in the comments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { testApp, type TestApp } from '../invoicing/app.js';
import { CATALOG_TEXT, at, requestsPart } from '../invoicing/fixtures.js';

/** The invoicing fixture catalogue plus an issuer, 19 % VAT for acme and exempt beta. */
const CATALOG = parseCatalog(
  CATALOG_TEXT.replace(
    'customers:\n',
    `issuer: { name: "Example Hosting GmbH", address: ["Hauptstr. 1", "10115 Berlin"], country: DE, vat_id: DE123456789 }
taxes:
  de-vat: { rate: "19", name: "USt." }
customers:\n`,
  )
    .replace('contract: { discount_pct: "10" }\n', 'contract: { discount_pct: "10" }\n    billing: { name: "ACME Corp", address: ["1 Main St"], country: US }\n    tax: de-vat\n')
    .replace('beta: {}', 'beta: { tax: exempt }'),
);

interface Inv {
  id: string;
  status: string;
  lines: Array<Record<string, string>>;
  subtotal: string;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
}

let t: TestApp;
before(async () => {
  t = await testApp('customer_tax_api', '2026-10-20T00:00:00Z', CATALOG);
  await insertParts(t.db.pool, [{ part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '150'), at: at() }]);
  await syncAll(t.db.pool, t.ctx);
});
after(async () => t?.db.drop());

const draft = async (customer: string): Promise<Inv> => {
  const r = await t.call('GET', `/v1/invoices?customer=${customer}&period=2026-10`, { key: t.keys.finance });
  assert.equal(r.status, 200);
  return (r.body.invoices as Inv[])[0]!;
};
const tail = (inv: Inv) => inv.lines.filter((l) => ['discount', 'minimum_commit', 'tax'].includes(l.type!));

test('a seeded customer with tax: the draft ends with the tax line and carries the three totals', async () => {
  // base 30.00; 150 − 100 free = 50 × 0.01 = 0.50; subtotal 30.50; discount −3.05;
  // total_excluding_tax 27.45; 19 % of 27.45 = 5.2155 → 5.22; total 32.67.
  const inv = await draft('acme');
  assert.deepEqual(tail(inv), [
    { type: 'discount', amount: '-3.05' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '27.45', amount: '5.22' },
  ]);
  assert.deepEqual([inv.subtotal, inv.total_excluding_tax, inv.tax_total, inv.total], ['30.50', '27.45', '5.22', '32.67']);
  // exempt: no tax line, tax_total 0.00. beta: hourly Oct 10 12:30 → Oct 12 03:00 = 38.5 h
  // → 39 h × 0.12 = 4.68, both totals 4.68.
  const beta = await draft('beta');
  assert.equal(beta.lines.some((l) => l.type === 'tax'), false);
  assert.deepEqual([beta.total_excluding_tax, beta.tax_total, beta.total], ['4.68', '0.00', '4.68']);
});

test('PUT /v1/customers: billing and tax validated like the catalogue, every bad field named, nothing changed', async () => {
  const bad = await t.call('PUT', '/v1/customers/acme', {
    key: t.keys.finance,
    body: { tax: 'reverse_charge', billing: { name: 'ACME', address: ['x'], country: 'Deutschland', email: 'nope' } },
  });
  assert.equal(bad.status, 422);
  assert.deepEqual((bad.body.problems as Array<{ path: string }>).map((p) => p.path).sort(), ['billing.country', 'billing.email']);
  const unknown = await t.call('PUT', '/v1/customers/acme', { key: t.keys.finance, body: { tax: 'fr-vat' } });
  assert.equal(unknown.status, 422);
  assert.deepEqual((unknown.body.problems as Array<{ path: string; message: string }>).map((p) => p.path), ['tax']);
  assert.match(JSON.stringify(unknown.body.problems), /unknown tax \\"fr-vat\\"/);
  const noVat = await t.call('PUT', '/v1/customers/acme', { key: t.keys.finance, body: { tax: 'reverse_charge', billing: { name: 'A', address: ['x'], country: 'AT' } } });
  assert.equal(noVat.status, 422);
  assert.match(JSON.stringify(noVat.body.problems), /"path":"tax","message":"reverse_charge requires billing\.vat_id"/);
  // Nothing changed: still 19 % VAT.
  assert.equal((await draft('acme')).tax_total, '5.22');
});

test('PUT /v1/customers with reverse_charge: the draft gets a zero tax line at rate 0', async () => {
  const put = await t.call('PUT', '/v1/customers/acme', {
    key: t.keys.finance,
    body: { contract: { discount_pct: '10' }, billing: { name: 'ACME GmbH', address: ['Ring 1', '1010 Wien'], country: 'AT', vat_id: 'ATU12345678' }, tax: 'reverse_charge' },
  });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body, {
    id: 'acme', currency: 'USD', contract: { discount_pct: '10' },
    billing: { name: 'ACME GmbH', address: ['Ring 1', '1010 Wien'], country: 'AT', vat_id: 'ATU12345678' }, tax: 'reverse_charge',
  });
  // Same 27.45 before tax; reverse charge: rate 0, amount 0.00, total 27.45.
  const inv = await draft('acme');
  assert.deepEqual(inv.lines.at(-1), { type: 'tax', code: 'reverse_charge', rate: '0', base: '27.45', amount: '0.00' });
  assert.deepEqual([inv.total_excluding_tax, inv.tax_total, inv.total], ['27.45', '0.00', '27.45']);
});

test('a new customer over the API: minimum-commit true-up first, then tax on it', async () => {
  const put = await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: { contract: { minimum_commit: '100.00' }, tax: 'de-vat' } });
  assert.equal(put.status, 201);
  const sub = await t.call('POST', '/v1/subscriptions', { key: t.keys.finance, body: { server_id: 'srv-3', customer: 'gamma', plan: 'monthly', from: '2026-10-01T00:00:00Z' } });
  // (monthly: 30.00 a month, requests 100 free then 0.01 — the invoicing fixture catalogue)
  assert.equal(sub.status, 201);
  // base 30.00, no usage; commit true-up 100.00 − 30.00 = 70.00; total_excluding_tax 100.00;
  // 19 % → 19.00 (tax never counts toward the commit); total 119.00.
  const inv = await draft('gamma');
  assert.deepEqual(tail(inv), [
    { type: 'minimum_commit', amount: '70.00' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '100.00', amount: '19.00' },
  ]);
  assert.deepEqual([inv.subtotal, inv.total_excluding_tax, inv.tax_total, inv.total], ['30.00', '100.00', '19.00', '119.00']);
});

test('finalization keeps the tax line and the totals; the stored invoice reads back the same', async () => {
  const before = await draft('gamma');
  t.setNow('2026-11-02T00:00:00Z');
  const fin = await t.call('POST', '/v1/invoices/finalize?period=2026-10&customer=gamma', { key: t.keys.finance });
  assert.equal(fin.status, 200, JSON.stringify(fin.body));
  const after = await t.call('GET', `/v1/invoices/${before.id}`, { key: t.keys.finance });
  assert.equal(after.status, 200);
  const inv = after.body as unknown as Inv;
  assert.equal(inv.status, 'final');
  assert.deepEqual(inv.lines, before.lines);
  assert.deepEqual([inv.total_excluding_tax, inv.tax_total, inv.total], ['100.00', '19.00', '119.00']);
});

test('an invoice stored before tax existed (NULL totals) reads as total_excluding_tax = total, tax_total 0.00', async () => {
  const beta = await draft('beta');
  await t.db.pool.query('UPDATE invoices SET total_excluding_tax = NULL, tax_total = NULL WHERE id = $1', [beta.id]);
  const again = await draft('beta');
  assert.deepEqual([again.total_excluding_tax, again.tax_total, again.total], ['4.68', '0.00', '4.68']);
});
