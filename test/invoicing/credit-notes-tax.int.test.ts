// Credit notes on taxed invoices from a real catalogue (issuer formats, taxes, customer tax)
// through the database: the tax line the invoice was finalized with is the one a credit note
// recomputes, the issuer's number formats are used for both documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { invoiceId, listInvoices } from '../../invoicing/db/invoices.js';
import { syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { ValidationError } from '../../lib/errors.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

const CATALOG = `
currency: EUR
timezone: Europe/Berlin
issuer:
  name: "Example Hosting GmbH"
  address: ["Hauptstr. 1", "10115 Berlin"]
  country: DE
  vat_id: DE123456789
  invoice_number: "RE-{YYYY}/{SEQ:4}"
  credit_note_number: "GS-{YYYY}/{SEQ:4}"
taxes:
  de-vat: { rate: "19", name: "USt." }
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "129.00", per: month }
customers:
  kunde:
    billing: { name: "Kunde AG", address: ["Ring 1", "1010 Wien"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge
  muster:
    billing: { name: "Muster GmbH", address: ["Weg 2", "80331 München"], country: DE }
    tax: de-vat
subscriptions:
  - { server_id: srv-1, customer: kunde, plan: monthly, from: "2026-09-30T22:00:00Z" }
  - { server_id: srv-2, customer: muster, plan: monthly, from: "2026-09-30T22:00:00Z" }
`;

let db: FreshDb;
const ctx: InvoicingContext = { catalog: parseCatalog(CATALOG), now: () => Date.parse('2026-11-02T00:00:00Z') };

before(async () => {
  db = await freshDb('credit_notes_tax');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
  await finalizePeriod(db.pool, ctx, '2026-10');
});
after(async () => db?.drop());

test('the issuer formats number the invoices; the taxed invoice carries its tax line', async () => {
  const invoices = await listInvoices(db.pool, { period: '2026-10' });
  assert.deepEqual(invoices.map((i) => [i.customer, i.number]), [['kunde', 'RE-2026/0001'], ['muster', 'RE-2026/0002']]);
  // 129.00 × 19 % = 24.51.
  assert.deepEqual(invoices[1]!.lines[1], { type: 'tax', code: 'de-vat', rate: '19', base: '129.00', amount: '24.51' });
});

test("a partial credit on a taxed invoice: tax at the invoice's rate on the credited base, half-up", async () => {
  // Base −10.50 × 19 ÷ 100 = −1.995 → −2.00 (ties away from zero); total −12.50.
  const cn = await createCreditNote(db.pool, ctx, invoiceId('muster', '2026-10'), '{"reason":"outage","lines":[{"n":1,"amount":"10.50"}]}');
  assert.deepEqual({ ...cn, id: 'x' }, {
    id: 'x', type: 'credit_note', number: 'GS-2026/0001', invoice: 'RE-2026/0002', customer: 'muster', currency: 'EUR', reason: 'outage',
    lines: [{ type: 'credit', n: 1, amount: '-10.50' }, { type: 'tax', code: 'de-vat', rate: '19', base: '-10.50', amount: '-2.00' }],
    total_excluding_tax: '-10.50', tax_total: '-2.00', total: '-12.50',
  });
  // The invoice's tax line itself is not creditable.
  await assert.rejects(
    createCreditNote(db.pool, ctx, invoiceId('muster', '2026-10'), '{"reason":"r","lines":[{"n":2,"amount":"1.00"}]}'),
    (err: unknown) => err instanceof ValidationError && err.problems[0]?.path === 'lines[0].n' && /tax line/.test(err.problems[0].message),
  );
});

test('a full credit on a reverse-charge invoice: a zero tax line at rate 0', async () => {
  const cn = await createCreditNote(db.pool, ctx, invoiceId('kunde', '2026-10'), '{"reason":"cancelled","full":true}');
  assert.equal(cn.number, 'GS-2026/0002');
  assert.deepEqual(cn.lines, [
    { type: 'credit', n: 1, amount: '-129.00' },
    { type: 'tax', code: 'reverse_charge', rate: '0', base: '-129.00', amount: '0.00' },
  ]);
  assert.deepEqual([cn.total_excluding_tax, cn.tax_total, cn.total], ['-129.00', '0.00', '-129.00']);
});
