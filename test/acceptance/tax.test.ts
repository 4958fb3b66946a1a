// SPEC §12.1/§12.2 through `meterline bill`: the spec's own issuer/taxes/customers block
// (verbatim YAML) with a plan and subscriptions added, each invoice worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { assertInvariants, bill, billOk, invoice, lines } from './harness.js';

// SPEC §12.1 verbatim, then two taxed customers and the plan and subscriptions it leaves out.
const SPEC_12_1 = `issuer:                                  # who issues the invoices (printed on every document)
  name: "Example Hosting GmbH"
  address: ["Hauptstr. 1", "10115 Berlin", "Germany"]
  country: DE                            # ISO 3166-1 alpha-2
  vat_id: DE123456789
  invoice_number: "ML-{YYYY}-{SEQ:6}"     # default; {YYYY} = year of the period, {SEQ:n} zero-padded
  credit_note_number: "CN-{YYYY}-{SEQ:6}" # default
taxes:
  de-vat: { rate: "19", name: "USt." }    # rate in percent, a decimal string
  nl-vat: { rate: "21", name: "BTW" }
customers:
  acme:
    billing: { name: "ACME Corp", address: ["1 Main St", "Springfield"], country: US, email: billing@acme.example }
    tax: exempt                          # a key of \`taxes\`, or exempt, or reverse_charge
  kunde:
    billing: { name: "Kunde AG", address: ["…"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge                  # requires billing.vat_id
`;

const CATALOG = `currency: EUR
timezone: UTC
plans:
  p100: { base_fee: { amount: "100.00", per: month } }
  p12: { base_fee: { amount: "12.50", per: month } }
${SPEC_12_1}  berlin: { tax: de-vat }
  amsterdam: { tax: nl-vat }
  plain: {}
subscriptions:
  - { server_id: s-acme, customer: acme, plan: p100, from: "2026-10-01T00:00:00Z" }
  - { server_id: s-kunde, customer: kunde, plan: p100, from: "2026-10-01T00:00:00Z" }
  - { server_id: s-berlin, customer: berlin, plan: p100, from: "2026-10-01T00:00:00Z" }
  - { server_id: s-ams, customer: amsterdam, plan: p12, from: "2026-10-01T00:00:00Z" }
  - { server_id: s-plain, customer: plain, plan: p100, from: "2026-10-01T00:00:00Z" }
`;

/** SPEC §12.2 invariants besides §9's: total = total_excluding_tax + tax_total = Σ tax lines + the rest. */
function assertTaxInvariants(inv: Record<string, unknown> & { lines: Array<Record<string, unknown>> }): void {
  const d = (k: string) => new Decimal(String(inv[k]));
  assert.ok(d('total').equals(d('total_excluding_tax').plus(d('tax_total'))), `total ≠ total_excluding_tax + tax_total in ${JSON.stringify(inv)}`);
  const tax = inv.lines.filter((l) => l.type === 'tax').reduce((s, l) => s.plus(new Decimal(String(l.amount))), new Decimal(0));
  assert.ok(tax.equals(d('tax_total')), 'tax_total = Σ tax lines');
}

test('§12.2 on the spec example: key, exempt, reverse charge, no tax; one line after every other', () => {
  const out = billOk({ catalog: CATALOG, events: [[]], period: '2026-10' });
  assert.deepEqual(out.invoices.map((i) => i.customer), ['acme', 'amsterdam', 'berlin', 'kunde', 'plain']);
  for (const inv of out.invoices) {
    assertInvariants(inv, 2);
    assertTaxInvariants(inv);
    const taxAt = inv.lines.findIndex((l) => l.type === 'tax');
    if (taxAt >= 0) assert.equal(taxAt, inv.lines.length - 1, 'the tax line comes last');
  }
  // acme, exempt: 100.00, no tax line.
  const acme = invoice(out, 'acme');
  assert.equal(lines(acme, 'tax').length, 0);
  assert.deepEqual([acme.total_excluding_tax, acme.tax_total, acme.total], ['100.00', '0.00', '100.00']);
  // kunde, reverse charge: rate "0", amount 0.00 on base 100.00.
  const kunde = invoice(out, 'kunde');
  assert.deepEqual(lines(kunde, 'tax'), [{ type: 'tax', code: 'reverse_charge', rate: '0', base: '100.00', amount: '0.00' }]);
  assert.deepEqual([kunde.total_excluding_tax, kunde.tax_total, kunde.total], ['100.00', '0.00', '100.00']);
  // berlin, de-vat: 100.00 × 19 % = 19.00 → 119.00.
  const berlin = invoice(out, 'berlin');
  assert.deepEqual(lines(berlin, 'tax'), [{ type: 'tax', code: 'de-vat', rate: '19', base: '100.00', amount: '19.00' }]);
  assert.deepEqual([berlin.total_excluding_tax, berlin.tax_total, berlin.total], ['100.00', '19.00', '119.00']);
  // amsterdam, nl-vat: 12.50 × 21 % = 2.625 — a tie: half-up 2.63 (half-even would give 2.62) → 15.13.
  const ams = invoice(out, 'amsterdam');
  assert.deepEqual(lines(ams, 'tax'), [{ type: 'tax', code: 'nl-vat', rate: '21', base: '12.50', amount: '2.63' }]);
  assert.deepEqual([ams.subtotal, ams.total_excluding_tax, ams.tax_total, ams.total], ['12.50', '12.50', '2.63', '15.13']);
  // plain: no tax: — as before §12, tax_total 0.00.
  const plain = invoice(out, 'plain');
  assert.deepEqual([plain.total_excluding_tax, plain.tax_total, plain.total], ['100.00', '0.00', '100.00']);
});

test('§12.1 validation: the four problems the spec names, all listed by path, nothing printed', () => {
  const bad = CATALOG.replace('country: DE ', 'country: Germany ')
    .replace('invoice_number: "ML-{YYYY}-{SEQ:6}"', 'invoice_number: "ML-{YYYY}"')
    .replace('berlin: { tax: de-vat }', 'berlin: { tax: fr-vat }')
    .replace('vat_id: ATU12345678 }', '}');
  assert.notEqual(bad, CATALOG);
  const r = bill({ catalog: bad, events: [[]], period: '2026-10' });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.trim(), '');
  for (const path of ['issuer.country', 'issuer.invoice_number', 'customers.berlin.tax', 'customers.kunde.tax']) {
    assert.match(r.stderr, new RegExp(`${path.replace(/\./g, '\\.')}: `), `${path} named in:\n${r.stderr}`);
  }
});
