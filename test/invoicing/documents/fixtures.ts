// Invoices and a credit note in served JSON form (SPEC §9, §12.2, §12.4), worked by hand, for
// the document tests: USD with 19 % VAT, JPY exempt (0 minor digits), BHD reverse charge (3).
import { parseCatalog } from '../../../catalog/load.js';
import type { InvoiceSource } from '../../../invoicing/documents/build.js';
import type { CreditNoteSource } from '../../../invoicing/documents/credit-note.js';
import type { DocumentContext, SourceLine } from '../../../invoicing/documents/rows.js';

/** Served lines carry the fields of their type besides type and amount. */
export const lines = (...ls: Array<SourceLine & Record<string, unknown>>): SourceLine[] => ls;

const PLANS = parseCatalog(`
currency: USD
timezone: Europe/Berlin
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  d8-monthly:
    base_fee: { amount: "129.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: requests, model: per_unit, free_units: "100", unit_price: "0.001" }
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }
`).plans;

export const context = (over: Partial<DocumentContext> = {}): DocumentContext => ({
  timezone: 'Europe/Berlin',
  issuer: { name: 'Example Hosting GmbH', address: ['Hauptstr. 1', '10115 Berlin'], country: 'DE', vatId: 'DE123456789' },
  billing: { name: 'ACME Corp', address: ['1 Main St', 'Springfield'], country: 'US', email: 'billing@acme.example' },
  customerTax: 'de-vat',
  taxNames: { 'de-vat': 'USt.' },
  meterUnits: { bandwidth_out_gb: 'GB', requests: 'request' },
  plans: PLANS,
  ...over,
});

/**
 * Final, USD, 19 % VAT. By hand: subtotal 129.00 + 2.35 − 12.90 + 0.40 + 4.68 + 0.90 = 124.43;
 * discount −round(12.443) = −12.44 → 111.99; commit 500.00 → true-up 388.01; VAT 19 % of
 * 500.00 = 95.00; total 595.00. Period Oct in Europe/Berlin: [Sep 30 22:00Z, Oct 31 23:00Z).
 */
export const usdFinal: InvoiceSource = {
  customer: 'acme',
  currency: 'USD',
  status: 'final',
  number: 'ML-2026-000003',
  period: { start: '2026-09-30T22:00:00Z', end: '2026-10-31T23:00:00Z' },
  lines: lines(
    { type: 'base_fee', server_id: 'srv-0001', plan: 'd8-monthly', quantity: '1', unit: 'month', unit_price: '129.00', amount: '129.00' },
    { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '1234.567', unit: 'GB', amount: '2.35' },
    { type: 'sla_credit', server_id: 'srv-0001', plan: 'd8-monthly', amount: '-12.90' },
    { type: 'adjustment', server_id: 'srv-0001', meter: 'bandwidth_out_gb', period_of_usage: '2026-09', amount: '0.40' },
    { type: 'base_fee', server_id: 'srv-0002', plan: 'c4-hourly', quantity: '39', unit: 'hour', unit_price: '0.12', amount: '4.68' },
    { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'requests', quantity: '1000', unit: 'request', amount: '0.90' },
    { type: 'discount', amount: '-12.44' },
    { type: 'minimum_commit', amount: '388.01' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '500.00', amount: '95.00' },
  ),
  subtotal: '124.43',
  total_excluding_tax: '500.00',
  tax_total: '95.00',
  total: '595.00',
  // 00:30 on Nov 2 in Berlin: the issue date is the 2nd, not the UTC 1st.
  finalized_at: '2026-11-01T23:30:00Z',
};

/** Final, JPY (no minor digits), exempt: 15000 + usage (15600 − 1000 free: 10000 × 0.010 + 4600 × 0.005
 *  = 123) = 15123, no tax line, tax total "0". */
export const jpyFinal: InvoiceSource = {
  customer: 'yamato',
  currency: 'JPY',
  status: 'final',
  number: 'ML-2026-000004',
  period: { start: '2026-09-30T22:00:00Z', end: '2026-10-31T23:00:00Z' },
  lines: lines(
    { type: 'base_fee', server_id: 'srv-0100', plan: 'd8-monthly', quantity: '1', unit: 'month', unit_price: '15000', amount: '15000' },
    { type: 'usage', server_id: 'srv-0100', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '15600', unit: 'GB', amount: '123' },
  ),
  subtotal: '15123',
  total_excluding_tax: '15123',
  tax_total: '0',
  total: '15123',
  finalized_at: '2026-11-03T09:00:00Z',
};

/** Final, BHD (3 minor digits), reverse charge: 45.500 + (1112.5 − 1000) × 0.010 = 46.625, tax 0.000. */
export const bhdReverse: InvoiceSource = {
  customer: 'gulf',
  currency: 'BHD',
  status: 'final',
  number: 'ML-2026-000005',
  period: { start: '2026-09-30T22:00:00Z', end: '2026-10-31T23:00:00Z' },
  lines: lines(
    { type: 'base_fee', server_id: 'srv-0200', plan: 'd8-monthly', quantity: '1', unit: 'month', unit_price: '45.500', amount: '45.500' },
    { type: 'usage', server_id: 'srv-0200', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '1112.5', unit: 'GB', amount: '1.125' },
    { type: 'tax', code: 'reverse_charge', rate: '0', base: '46.625', amount: '0.000' },
  ),
  subtotal: '46.625',
  total_excluding_tax: '46.625',
  tax_total: '0.000',
  total: '46.625',
  finalized_at: '2026-11-03T09:00:00Z',
};

/** A draft (no number, no tax fields yet) of a customer whose name is markup. */
export const draft: InvoiceSource = {
  customer: 'evil',
  currency: 'USD',
  status: 'draft',
  period: { start: '2026-11-30T23:00:00Z', end: '2026-12-31T23:00:00Z' },
  lines: lines({ type: 'base_fee', server_id: 'srv-<9>', plan: 'c4-hourly', quantity: '10', unit: 'hour', unit_price: '0.12', amount: '1.20' }),
  subtotal: '1.20',
  total: '1.20',
  finalized_at: null,
};

/** Credits 10.00 of usdFinal's line 1 (the srv-0001 base fee): VAT −1.90, total −11.90. */
export const creditNote: CreditNoteSource = {
  number: 'CN-2026-000001',
  invoice: 'ML-2026-000003',
  customer: 'acme',
  currency: 'USD',
  reason: 'Outage <b>compensation</b>',
  lines: lines(
    { type: 'credit', n: 1, amount: '-10.00' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '-10.00', amount: '-1.90' },
  ),
  total_excluding_tax: '-10.00',
  tax_total: '-1.90',
  total: '-11.90',
  created_at: '2026-11-15T10:00:00Z',
};
