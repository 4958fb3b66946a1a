// SPEC §12.1: issuer, taxes, customer billing and tax. Every problem is listed by its path in
// one pass; a catalogue without any of it loads exactly as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { numberFormats } from '../../catalog/types.js';
import { problems } from './problems.js';

const HEAD = `currency: EUR
plans:
  p: { base_fee: { amount: "10.00", per: month } }
`;

const GOOD = `${HEAD}issuer:
  name: "Example Hosting GmbH"
  address: ["Hauptstr. 1", "10115 Berlin", "Germany"]
  country: DE
  vat_id: DE123456789
  credit_note_number: "GS-{SEQ:4}"
taxes:
  de-vat: { rate: "19", name: "USt." }
  ch-vat: { rate: 7.7 }
customers:
  acme:
    billing: { name: "ACME Corp", address: ["1 Main St", "Springfield"], country: US, email: billing@acme.example }
    tax: exempt
  kunde:
    billing: { name: "Kunde AG", address: ["Ring 1"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge
  berlin:
    tax: de-vat
  plain: {}
`;


test('issuer, taxes, billing and tax load typed; number formats default', () => {
  const c = parseCatalog(GOOD);
  assert.equal(c.issuer?.name, 'Example Hosting GmbH');
  assert.deepEqual(c.issuer?.address, ['Hauptstr. 1', '10115 Berlin', 'Germany']);
  assert.equal(c.issuer?.country, 'DE');
  assert.equal(c.issuer?.vatId, 'DE123456789');
  assert.deepEqual(numberFormats(c), { invoice: 'ML-{YYYY}-{SEQ:6}', creditNote: 'GS-{SEQ:4}' });
  assert.equal(c.taxes['de-vat']?.rate.toFixed(), '19');
  assert.equal(c.taxes['de-vat']?.name, 'USt.');
  // An unquoted 7.7 is read by its text; the name defaults to the key.
  assert.equal(c.taxes['ch-vat']?.rate.toFixed(), '7.7');
  assert.equal(c.taxes['ch-vat']?.name, 'ch-vat');
  assert.deepEqual(c.customers.acme?.billing, { name: 'ACME Corp', address: ['1 Main St', 'Springfield'], country: 'US', email: 'billing@acme.example' });
  assert.equal(c.customers.acme?.tax, 'exempt');
  assert.equal(c.customers.kunde?.billing?.vatId, 'ATU12345678');
  assert.equal(c.customers.kunde?.tax, 'reverse_charge');
  assert.equal(c.customers.berlin?.tax, 'de-vat');
  assert.equal(c.customers.plain?.tax, undefined);
  assert.equal(c.customers.plain?.billing, undefined);
});

test('a catalogue without issuer and taxes: no issuer, no taxes, default number formats', () => {
  const c = parseCatalog(`${HEAD}customers: { a: {} }\n`);
  assert.equal(c.issuer, undefined);
  assert.deepEqual(c.taxes, {});
  assert.deepEqual(numberFormats(c), { invoice: 'ML-{YYYY}-{SEQ:6}', creditNote: 'CN-{YYYY}-{SEQ:6}' });
});

test('every problem at once, each by its path', () => {
  const p = problems(`${HEAD}issuer:
  name: "X"
  address: "Hauptstr. 1"
  country: de
  invoice_number: "INV-{YYYY}"
  credit_note_number: "CN-{SEQ:6}-{MM}"
taxes:
  de-vat: { rate: "nineteen" }
  big: { rate: "101" }
  exempt: { rate: "0" }
customers:
  a: { tax: fr-vat }
  b: { tax: reverse_charge, billing: { name: "B", address: ["x"], country: XX } }
  c: { tax: reverse_charge, billing: { name: "C", address: ["y"], country: FR } }
  c2: { tax: reverse_charge, billing: { name: "C", vat_id: "#1" } }
  d: { tax: reverse_charge }
  e: { billing: { name: "E", address: "one line", country: US, email: "nobody" } }
`);
  const byPath = (path: string): string => p.filter((x) => x.path === path).map((x) => x.message).join(' | ');
  assert.match(byPath('issuer.address'), /list of address lines/);
  assert.match(byPath('issuer.country'), /ISO 3166-1 alpha-2.*upper case: DE/);
  assert.match(byPath('issuer.invoice_number'), /\{SEQ/);
  assert.match(byPath('issuer.credit_note_number'), /unknown placeholder \{MM\}/);
  assert.match(byPath('taxes.de-vat.rate'), /decimal/);
  assert.match(byPath('taxes.big.rate'), /at most 100/);
  assert.match(byPath('taxes.exempt'), /reserved/);
  assert.match(byPath('customers.a.tax'), /unknown tax "fr-vat"/);
  assert.match(byPath('customers.b.billing.country'), /ISO 3166-1 alpha-2.*"XX"/);
  assert.match(byPath('customers.c.tax'), /reverse_charge requires billing\.vat_id/);
  assert.match(byPath('customers.d.tax'), /reverse_charge requires billing/);
  // A malformed vat_id is named once, at the vat_id (not again as a missing one at tax).
  assert.match(byPath('customers.c2.billing.vat_id'), /VAT id/);
  assert.match(byPath('customers.e.billing.address'), /list of address lines/);
  assert.match(byPath('customers.e.billing.email'), /e-mail/);
  // Exactly these fourteen, nothing reported twice.
  assert.equal(p.length, 14, JSON.stringify(p, null, 1));
});

test('number formats: {SEQ} without width is fine; two {SEQ} and stray braces are not', () => {
  const issuer = (fmt: string) => `${HEAD}issuer: { name: X, address: [a], country: DE, invoice_number: ${JSON.stringify(fmt)} }\n`;
  assert.equal(parseCatalog(issuer('{SEQ}')).issuer?.invoiceNumber, '{SEQ}');
  assert.match(problems(issuer('A{SEQ}B{SEQ:3}')).map((x) => x.message).join(), /only once/);
  assert.match(problems(issuer('A-{SEQ:6')).map((x) => x.message).join(), /\{SEQ/);
  assert.match(problems(issuer('A-{SEQ:0}')).map((x) => x.message).join(), /1 to 18 digits/);
});

test('issuer and billing need only a name (address and country optional); unknown fields are named', () => {
  const p = problems(`${HEAD}issuer: { vatid: DE1 }\ncustomers: { a: { billing: { email: a@b.example } } }\n`);
  assert.deepEqual(p.map((x) => x.path).sort(), ['customers.a.billing.name', 'issuer.name', 'issuer.vatid']);
  const c = parseCatalog(`${HEAD}issuer: { name: X, invoice_number: "INV-{SEQ:4}" }\ncustomers: { a: { billing: { name: A } } }\n`);
  assert.deepEqual(c.issuer, { name: 'X', address: [], invoiceNumber: 'INV-{SEQ:4}', creditNoteNumber: 'CN-{YYYY}-{SEQ:6}' });
  assert.deepEqual(c.customers.a?.billing, { name: 'A', address: [] });
});
