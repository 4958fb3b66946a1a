// Tax on whole invoices (SPEC §6 step 7, §12.2), rated from YAML catalogues by the same
// rateInvoice both `meterline bill` and the rate role use. Amounts worked by hand in comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dec } from '../../lib/decimal.js';
import { rateInvoice, type LateUsage } from '../../rating/invoice.js';
import { invoiceToJson } from '../../rating/invoice-json.js';
import { parsePeriod } from '../../rating/period.js';
import { catalog, json } from './helpers.js';

/** One plan `p` with a monthly base fee, one customer `c` on it for all of October 2026. */
const yaml = (currency: string, fee: string, customer: string, taxes = '  vat: { rate: "19", name: "VAT" }') => `currency: ${currency}
plans:
  p: { base_fee: { amount: "${fee}", per: month } }
taxes:
${taxes}
customers:
  c: ${customer}
subscriptions:
  - { server_id: s1, customer: c, plan: p, from: "2026-10-01T00:00:00Z" }
`;

function rate(text: string, adjustments: LateUsage[] = [], subscriptions = true) {
  const cat = catalog(text);
  const inv = rateInvoice({
    catalog: cat, customer: 'c', period: parsePeriod('2026-10', 'UTC'),
    subscriptions: subscriptions ? cat.subscriptions : [], usage: new Map(), adjustments,
  });
  return json(inv) as ReturnType<typeof json> & { total_excluding_tax: string; tax_total: string };
}
const totals = (j: ReturnType<typeof rate>) => [j.subtotal, j.total_excluding_tax, j.tax_total, j.total];

test('minimum commit true-up, then tax on the committed total; tax neither discounted nor counted toward the commit', () => {
  // base 100.00; discount 10 % → −10.00; commit 200.00 − 90.00 = 110.00; total_excluding_tax
  // 200.00; 19 % → 38.00; total 238.00. (Had tax counted toward the commit, the true-up would shrink.)
  const j = rate(yaml('USD', '100.00', '{ tax: vat, contract: { discount_pct: "10", minimum_commit: "200.00" } }'));
  assert.deepEqual(j.lines.map((l) => `${String(l.type)}=${String(l.amount)}`), ['base_fee=100.00', 'discount=-10.00', 'minimum_commit=110.00', 'tax=38.00']);
  assert.deepEqual(j.lines.at(-1), { type: 'tax', code: 'vat', rate: '19', base: '200.00', amount: '38.00' });
  assert.deepEqual(totals(j), ['100.00', '200.00', '38.00', '238.00']);
});

test('a half-cent tie on a real invoice: 1.50 at 19 % = 0.285 → 0.29 (half-even would say 0.28)', () => {
  const j = rate(yaml('USD', '1.50', '{ tax: vat }'));
  assert.deepEqual(totals(j), ['1.50', '1.50', '0.29', '1.79']);
});

test('a negative base (a credit-only invoice) gives a negative tax: −1.50 at 19 % = −0.285 → −0.29', () => {
  // No subscription in the period, one late-usage adjustment of −1.50 (a correction downwards).
  const j = rate(yaml('USD', '1.00', '{ tax: vat }'), [{ serverId: 's1', meter: 'm', periodOfUsage: '2026-09', amount: dec('-1.5') }], false);
  assert.deepEqual(j.lines.at(-1), { type: 'tax', code: 'vat', rate: '19', base: '-1.50', amount: '-0.29' });
  assert.deepEqual(totals(j), ['-1.50', '-1.50', '-0.29', '-1.79']);
});

test('exempt: no tax line; reverse charge: one zero line at rate "0"', () => {
  const exempt = rate(yaml('USD', '10.00', '{ tax: exempt }'));
  assert.equal(exempt.lines.some((l) => l.type === 'tax'), false);
  assert.deepEqual(totals(exempt), ['10.00', '10.00', '0.00', '10.00']);
  const rc = rate(yaml('EUR', '10.00', '{ tax: reverse_charge, billing: { name: K, address: [x], country: AT, vat_id: ATU12345678 } }'));
  assert.deepEqual(rc.lines.at(-1), { type: 'tax', code: 'reverse_charge', rate: '0', base: '10.00', amount: '0.00' });
  assert.deepEqual(totals(rc), ['10.00', '10.00', '0.00', '10.00']);
});

test('JPY (0 minor digits): 125 at 10 % = 12.5 → 13; without tax, tax_total "0"', () => {
  const j = rate(yaml('JPY', '125', '{ tax: ten }', '  ten: { rate: "10" }'));
  assert.deepEqual(j.lines.at(-1), { type: 'tax', code: 'ten', rate: '10', base: '125', amount: '13' });
  assert.deepEqual(totals(j), ['125', '125', '13', '138']);
  assert.deepEqual(totals(rate(yaml('JPY', '125', '{}'))), ['125', '125', '0', '125']);
});

test('BHD (3 minor digits): 1.250 at 5 % = 0.0625 → 0.063; without tax, tax_total "0.000"', () => {
  const j = rate(yaml('BHD', '1.250', '{ tax: five }', '  five: { rate: "5" }'));
  assert.deepEqual(j.lines.at(-1), { type: 'tax', code: 'five', rate: '5', base: '1.250', amount: '0.063' });
  assert.deepEqual(totals(j), ['1.250', '1.250', '0.063', '1.313']);
  assert.deepEqual(totals(rate(yaml('BHD', '1.250', '{}'))), ['1.250', '1.250', '0.000', '1.250']);
});

test('the tax line is exactly the five fields of SPEC §12.2; --detail adds the printed name of the tax', () => {
  const cat = catalog(yaml('USD', '10.00', '{ tax: vat }'));
  const inv = rateInvoice({ catalog: cat, customer: 'c', period: parsePeriod('2026-10', 'UTC'), subscriptions: cat.subscriptions, usage: new Map() });
  // 10.00 × 19 % = 1.90
  assert.deepEqual((invoiceToJson(inv).lines as unknown[]).at(-1), { type: 'tax', code: 'vat', rate: '19', base: '10.00', amount: '1.90' });
  assert.deepEqual((invoiceToJson(inv, { detail: true }).lines as unknown[]).at(-1), { type: 'tax', code: 'vat', rate: '19', base: '10.00', amount: '1.90', name: 'VAT' });
});
