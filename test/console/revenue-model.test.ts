// Revenue by month, customer and plan, per currency, summed exactly from invoice amounts —
// expectations added up by hand, printed with the currency's minor digits as the API writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { revenue } from '../../console/revenue-model.js';
import type { Invoice } from '../../console/invoice-types.js';

const inv = (id: string, customer: string, month: string, currency: string, total: string, lines: Invoice['lines']): Invoice => ({
  id, customer, currency, status: 'final', period: { start: `${month}-01T00:00:00Z`, end: '' }, lines, subtotal: total, total,
});

const INVOICES = [
  inv('1', 'acme', '2026-09', 'USD', '500.00', [{ type: 'base_fee', plan: 'd8', amount: '129.00' }, { type: 'minimum_commit', amount: '371.00' }]),
  inv('2', 'acme', '2026-10', 'USD', '10.10', [{ type: 'base_fee', plan: 'd8', amount: '10.10' }]),
  inv('3', 'globex', '2026-10', 'USD', '0.20', [{ type: 'usage', plan: 'c4', amount: '0.10' }, { type: 'usage', plan: 'd8', amount: '0.10' }]),
  inv('4', 'kunde', '2026-10', 'EUR', '7.00', [{ type: 'base_fee', plan: 'c4', amount: '7.00' }]),
];

test('totals by month and customer keep currencies apart; by plan only lines that name a plan', () => {
  const r = revenue(INVOICES);
  assert.deepEqual(r.byMonth, [
    { key: '2026-09', currency: 'USD', amount: '500.00', invoices: 1 },
    { key: '2026-10', currency: 'EUR', amount: '7.00', invoices: 1 },
    { key: '2026-10', currency: 'USD', amount: '10.30', invoices: 2 }, // 10.10 + 0.20
  ]);
  assert.deepEqual(r.byCustomer.map((x) => [x.key, x.currency, x.amount]), [['acme', 'USD', '510.10'], ['globex', 'USD', '0.20'], ['kunde', 'EUR', '7.00']]);
  assert.deepEqual(r.byPlan.map((x) => [x.key, x.currency, x.amount, x.invoices]), [
    ['c4', 'EUR', '7.00', 1],
    ['c4', 'USD', '0.10', 1],
    ['d8', 'USD', '139.20', 3], // 129.00 + 10.10 + 0.10
  ]);
});

test('revenue is net of tax and of credit notes: a credit counts against the credited invoice\'s month, customer and line\'s plan', () => {
  const taxed: Invoice = {
    ...inv('5', 'kunde', '2026-10', 'EUR', '119.00', [{ type: 'base_fee', plan: 'c4', amount: '100.00' }, { type: 'tax', code: 'de-vat', rate: '19', amount: '19.00' }]),
    subtotal: '100.00', total_excluding_tax: '100.00', tax_total: '19.00',
  };
  // 5.00 credited on invoice 2's line 1 (the d8 base fee), untaxed; 10.00 on line 1 of the taxed
  // one (credit note total −11.90 with tax, −10.00 without).
  const notes = [
    { invoice_id: '2', total_excluding_tax: '-5.00', lines: [{ type: 'credit', n: 1, amount: '-5.00' }] },
    { invoice_id: '5', total_excluding_tax: '-10.00', lines: [{ type: 'credit', n: 1, amount: '-10.00' }, { type: 'tax', amount: '-1.90' }] },
  ];
  const r = revenue([...INVOICES, taxed], notes);
  assert.deepEqual(r.byMonth.map((x) => [x.key, x.currency, x.amount]), [
    ['2026-09', 'USD', '500.00'],
    ['2026-10', 'EUR', '97.00'], // 7.00 + 100.00 (not 119.00: tax is not revenue) − 10.00
    ['2026-10', 'USD', '5.30'], // 10.10 + 0.20 − 5.00
  ]);
  assert.deepEqual(r.byCustomer.map((x) => [x.key, x.currency, x.amount]), [['acme', 'USD', '505.10'], ['globex', 'USD', '0.20'], ['kunde', 'EUR', '97.00']]);
  assert.deepEqual(r.byPlan.map((x) => [x.key, x.currency, x.amount]), [
    ['c4', 'EUR', '97.00'], // 7.00 + 100.00 − 10.00
    ['c4', 'USD', '0.10'],
    ['d8', 'USD', '134.20'], // 139.20 − 5.00
  ]);
});
