// Invoice and credit-note documents (SPEC §12.5), pure: the model built from hand-worked JSON,
// the PDF read back with pdfjs-dist, the HTML checked for content and escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invoiceDocument, type InvoiceSource } from '../../../invoicing/documents/build.js';
import { creditNoteDocument } from '../../../invoicing/documents/credit-note.js';
import { renderHtml } from '../../../invoicing/documents/html.js';
import { renderPdf } from '../../../invoicing/documents/pdf.js';
import { bhdReverse, context, creditNote, draft, jpyFinal, usdFinal } from './fixtures.js';
import { pdfText } from './pdf-text.js';

const REVERSE = 'Reverse charge: VAT to be accounted for by the recipient';
const pdfOf = async (inv: InvoiceSource, ctx = context()) => pdfText(await renderPdf(invoiceDocument(inv, ctx)));
/** Each amount must be one printed piece of text, exactly the JSON's string. */
const assertPrinted = (items: readonly string[], expected: readonly string[]) => {
  for (const s of expected) assert.ok(items.includes(s), `${JSON.stringify(s)} is printed (items: ${JSON.stringify(items)})`);
};

test('model: lines grouped by server in JSON order, contract lines after the subtotal, tax summary, dates in the catalogue zone', () => {
  const m = invoiceDocument(usdFinal, context());
  assert.deepEqual(m.groups.map((g) => [g.title, g.rows.map((r) => r.amount)]), [
    ['Server srv-0001', ['129.00', '2.35', '-12.90', '0.40', '0.90']],
    ['Server srv-0002', ['4.68']],
  ]);
  assert.deepEqual(m.contractRows.map((r) => [r.description, r.amount]), [['Discount', '-12.44'], ['Minimum commitment true-up', '388.01']]);
  assert.equal(m.subtotal, '124.43');
  assert.deepEqual(m.taxes, [{ label: 'USt.', rate: '19 %', base: '500.00', amount: '95.00' }]);
  assert.deepEqual(m.totals, [
    { label: 'Total excluding tax', amount: '500.00' },
    { label: 'Tax', amount: '95.00' },
    { label: 'Total (USD)', amount: '595.00', grand: true },
  ]);
  assert.equal(m.issueDate, '2026-11-02'); // 2026-11-01T23:30Z is 00:30 on the 2nd in Berlin
  assert.deepEqual(m.period, { from: '2026-10-01', to: '2026-10-31' });
  assert.equal(m.number, 'ML-2026-000003');
  assert.deepEqual(m.notes, []);
  // requests: per_unit 0.001 with 100 free units; bandwidth: graduated tiers.
  const requests = m.groups[0]!.rows[4]!;
  assert.deepEqual([requests.quantity, requests.unit, requests.unitPrice], ['1000', 'request', '0.001']);
  assert.match(requests.detail ?? '', /first 100 free/);
  assert.equal(m.groups[0]!.rows[1]!.unitPrice, 'graduated');
});

test('PDF (USD, 19 % VAT): issuer, customer, number, issue date, period, every line amount and the totals as in the JSON', async () => {
  const { items, pages } = await pdfOf(usdFinal);
  assert.equal(pages.length, 1);
  assertPrinted(items, ['Invoice', 'Number: ML-2026-000003', 'Issue date: 2026-11-02', 'Period: 2026-10-01 – 2026-10-31']);
  assertPrinted(items, ['Example Hosting GmbH', 'Hauptstr. 1', '10115 Berlin', 'VAT ID: DE123456789', 'ACME Corp', '1 Main St', 'Springfield']);
  assertPrinted(items, ['Server srv-0001', 'Server srv-0002', 'bandwidth_out_gb', '1234.567', 'GB', '39', 'hour', '0.12']);
  assertPrinted(items, usdFinal.lines.map((l) => l.amount));
  assertPrinted(items, ['124.43', '500.00', '95.00', '595.00', 'USt.', '19 %', 'Total (USD)']);
  assert.ok(!items.some((s) => s.includes('DRAFT')), 'a final invoice carries no DRAFT mark');
  assert.ok(!items.join(' ').includes(REVERSE), 'no reverse-charge note for a taxed customer');
});

test('PDF (JPY, no minor digits): amounts printed without decimals, exactly as the JSON', async () => {
  const { items } = await pdfOf(jpyFinal, context({ customerTax: 'exempt' }));
  assertPrinted(items, ['15000', '123', '15123', '0', 'Total (JPY)', '15600']);
  assert.ok(!items.some((s) => /^15000\.0+$|^15123\.0+$/.test(s)), 'never re-formatted with minor digits');
});

test('PDF (BHD, 3 minor digits, reverse charge): three-digit amounts and the reverse-charge note', async () => {
  const ctx = context({ customerTax: 'reverse_charge', billing: { name: 'Gulf W.L.L.', address: ['Road 1'], country: 'AT', vatId: 'ATU12345678' } });
  const { items } = await pdfOf(bhdReverse, ctx);
  assertPrinted(items, ['45.500', '1.125', '46.625', '0.000', 'VAT ID: ATU12345678', 'Reverse charge', '0 %']);
  assert.ok(items.join(' ').includes(REVERSE), 'the reverse-charge note is printed');
  // The note follows the tax line even when the customer's tax setting is not known.
  const fromLine = invoiceDocument(bhdReverse, context({ customerTax: undefined }));
  assert.equal(fromLine.notes.length, 1);
});

test('drafts: DRAFT on every page of the PDF, no number; HTML marks the draft', async () => {
  const many: InvoiceSource = {
    ...draft,
    lines: Array.from({ length: 90 }, (_, i) => ({ type: 'usage', server_id: `srv-${String(i % 3)}`, plan: 'c4-hourly', meter: 'requests', quantity: String(i), unit: 'request', amount: `${i}.${String(i % 100).padStart(2, '0')}` })),
  };
  const { pages, items } = await pdfOf(many);
  assert.ok(pages.length >= 2, `90 lines take more than one page (got ${pages.length})`);
  for (const [i, page] of pages.entries()) assert.ok(page.includes('DRAFT'), `page ${i + 1} carries DRAFT`);
  assertPrinted(items, many.lines.map((l) => l.amount));
  assert.ok(!items.some((s) => s.startsWith('Number:') || s.startsWith('Issue date:')), 'a draft has no number and no issue date');
  const html = renderHtml(invoiceDocument(draft, context()));
  assert.match(html, /<div class="draft"[^>]*>DRAFT<\/div>/);
  assert.doesNotMatch(html, /Number:/);
});

test('HTML escapes every piece of data (a customer called <script>, a server id with <>)', () => {
  const ctx = context({ billing: { name: '<script>alert("x")</script>', address: ["O'Neil & Sons"], country: 'US' } });
  const html = renderHtml(invoiceDocument(draft, ctx));
  assert.ok(!html.includes('<script'), 'no script element');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(html.includes('O&#39;Neil &amp; Sons'));
  assert.ok(html.includes('Server srv-&lt;9&gt;'));
});

test('HTML carries the same content as the PDF: number, amounts, totals, tax summary, reverse-charge note', () => {
  const html = renderHtml(invoiceDocument(usdFinal, context()));
  for (const s of [...usdFinal.lines.map((l) => l.amount), 'ML-2026-000003', '2026-11-02', '124.43', '595.00', 'USt.', 'VAT ID: DE123456789']) {
    assert.ok(html.includes(`>${s}<`) || html.includes(s), `${s} in the HTML`);
  }
  assert.ok(html.includes('<td class="num">-12.90</td>'));
  const reverse = renderHtml(invoiceDocument(bhdReverse, context({ customerTax: 'reverse_charge' })));
  assert.ok(reverse.includes(REVERSE));
  assert.ok(reverse.includes('<td class="num">0.000</td>'));
});

test('credit note: its number, the credited invoice, each credit described by the line it credits, tax and totals', async () => {
  const m = creditNoteDocument(creditNote, usdFinal, context());
  assert.deepEqual(m.groups.map((g) => [g.title, g.rows.map((r) => [r.description, r.amount])]), [['Server srv-0001', [['Base fee', '-10.00']]]]);
  assert.equal(m.issueDate, '2026-11-15');
  const { items } = await pdfText(await renderPdf(m));
  assertPrinted(items, ['Credit note', 'Number: CN-2026-000001', 'Credits invoice: ML-2026-000003', '-10.00', '-1.90', '-11.90', 'Total credited (USD)']);
  assert.ok(!items.some((s) => s.includes('DRAFT')));
  const html = renderHtml(m);
  assert.ok(html.includes('Outage &lt;b&gt;compensation&lt;/b&gt;'));
  // Without the credited invoice the line still prints, by its number.
  assert.equal(creditNoteDocument(creditNote, undefined, context()).contractRows[0]!.description, 'Credit of invoice line 1');
});

test('PDF: a final document is the same bytes every time (dated by its issue, not by now); its title names it', async () => {
  const m = invoiceDocument(usdFinal, context());
  const first = await renderPdf(m);
  assert.ok(first.equals(await renderPdf(m)), 'byte-identical');
  const { info } = await pdfText(first);
  assert.equal(info.Title, 'Invoice ML-2026-000003');
  assert.equal(info.Author, 'Example Hosting GmbH');
  // finalized_at, not the clock: no other source of change is left in the bytes.
  assert.match(String(info.CreationDate), /^D:20261101233000/);
});

test('PDF: characters outside the standard font print as "?", the HTML keeps them', async () => {
  const ctx = context({ billing: { name: 'Müller – Ωmega 株式会社', address: ['x'] } });
  const { items } = await pdfOf(usdFinal, ctx);
  assertPrinted(items, ['Müller – ?mega ????']);
  assert.ok(renderHtml(invoiceDocument(usdFinal, ctx)).includes('Müller – Ωmega 株式会社'));
});
