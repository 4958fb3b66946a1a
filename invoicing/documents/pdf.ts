// Document model → PDF (A4) with pdfkit and its built-in Helvetica (the font metrics ship in the
// pdfkit package; nothing is fetched or embedded from the machine). The layout mirrors
// html.ts: issuer and facts, bill-to, lines grouped by server, subtotal, contract lines,
// totals, tax summary, notes; on drafts a DRAFT mark on every page. Text is written as given:
// each amount is the JSON's string.
import PDFDocument from 'pdfkit';
import type { DocRow, DocumentModel, Party } from './model.js';
import { documentHeading } from './html.js';

const MARGIN = 50;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const SIZE = 9;
/** x and width of the line table's columns; numbers align right. */
const COL = {
  desc: { x: MARGIN, w: 215 },
  qty: { x: 270, w: 70 },
  unit: { x: 346, w: 54 },
  price: { x: 400, w: 65 },
  amount: { x: 470, w: 75 },
} as const;
const RIGHT = COL.amount.x + COL.amount.w;

/**
 * The standard fonts encode WinAnsi (Latin-1 plus a few signs): any other character is printed
 * as "?" rather than as a wrong glyph. The HTML document shows every character.
 */
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
export const winAnsi = (s: string): string =>
  [...s].map((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.includes(ch) ? ch : '?';
  }).join('');

type Doc = InstanceType<typeof PDFDocument>;

function write(doc: Doc, s: string, x: number, y: number, opts: { width: number; align?: 'left' | 'right'; bold?: boolean; size?: number }): number {
  doc.font(opts.bold ? BOLD : FONT).fontSize(opts.size ?? SIZE);
  const t = winAnsi(s);
  doc.text(t, x, y, { width: opts.width, align: opts.align ?? 'left' });
  return doc.heightOfString(t, { width: opts.width });
}

function party(doc: Doc, p: Party, x: number, y: number, width: number): number {
  let h = write(doc, p.name, x, y, { width, bold: true, size: 10 });
  const rest = [...p.address, ...(p.country ? [p.country] : []), ...(p.vatId ? [`VAT ID: ${p.vatId}`] : []), ...(p.email ? [p.email] : [])];
  for (const line of rest) h += write(doc, line, x, y + h, { width });
  return h;
}

/** Draws the header, bill-to and returns the y where the line table starts. */
function head(doc: Doc, m: DocumentModel): number {
  const issuerH = m.issuer ? party(doc, m.issuer, MARGIN, MARGIN, 240) : 0;
  let y = MARGIN;
  y += write(doc, m.title, 320, y, { width: RIGHT - 320, align: 'right', bold: true, size: 18 }) + 4;
  const facts = [
    ...(m.draft ? ['DRAFT - not a final invoice, amounts may change'] : []),
    ...(m.number ? [`Number: ${m.number}`] : []),
    ...(m.issueDate ? [`Issue date: ${m.issueDate}`] : []),
    ...(m.period ? [`Period: ${m.period.from} – ${m.period.to}`] : []),
    ...m.facts.map((f) => `${f.label}: ${f.value}`),
  ];
  for (const f of facts) y += write(doc, f, 300, y, { width: RIGHT - 300, align: 'right' });
  y = Math.max(y, MARGIN + issuerH) + 24;
  y += write(doc, 'BILL TO', MARGIN, y, { width: 200, size: 7.5 }) + 2;
  return y + party(doc, m.customer, MARGIN, y, 300) + 18;
}

function tableHeader(doc: Doc, m: DocumentModel, y: number): number {
  write(doc, 'Description', COL.desc.x, y, { width: COL.desc.w, bold: true });
  write(doc, 'Quantity', COL.qty.x, y, { width: COL.qty.w, align: 'right', bold: true });
  write(doc, 'Unit', COL.unit.x, y, { width: COL.unit.w, bold: true });
  write(doc, 'Unit price', COL.price.x, y, { width: COL.price.w, align: 'right', bold: true });
  write(doc, `Amount (${m.currency})`, COL.amount.x, y, { width: COL.amount.w, align: 'right', bold: true });
  doc.moveTo(MARGIN, y + 12).lineTo(RIGHT, y + 12).lineWidth(0.8).stroke();
  return y + 16;
}

/** A page break when `need` points do not fit below y; returns the y to draw at. */
function room(doc: Doc, m: DocumentModel, y: number, need: number): number {
  if (y + need <= doc.page.height - MARGIN - 20) return y;
  doc.addPage();
  return tableHeader(doc, m, MARGIN);
}

function drawRow(doc: Doc, m: DocumentModel, r: DocRow, y: number): number {
  doc.font(FONT).fontSize(SIZE);
  const need = doc.heightOfString(winAnsi(r.description), { width: COL.desc.w }) + (r.detail ? doc.fontSize(7.5).heightOfString(winAnsi(r.detail), { width: COL.desc.w }) : 0);
  y = room(doc, m, y, need + 4);
  let h = write(doc, r.description, COL.desc.x, y, { width: COL.desc.w });
  if (r.detail) h += write(doc, r.detail, COL.desc.x, y + h, { width: COL.desc.w, size: 7.5 });
  if (r.quantity !== undefined) write(doc, r.quantity, COL.qty.x, y, { width: COL.qty.w, align: 'right' });
  if (r.unit !== undefined) write(doc, r.unit, COL.unit.x, y, { width: COL.unit.w });
  if (r.unitPrice !== undefined) write(doc, r.unitPrice, COL.price.x, y, { width: COL.price.w, align: 'right' });
  write(doc, r.amount, COL.amount.x, y, { width: COL.amount.w, align: 'right' });
  return y + h + 4;
}

function sumRow(doc: Doc, m: DocumentModel, label: string, amount: string, y: number, bold: boolean): number {
  y = room(doc, m, y, 18);
  doc.moveTo(COL.qty.x, y).lineTo(RIGHT, y).lineWidth(bold ? 1.2 : 0.5).stroke();
  write(doc, label, COL.qty.x, y + 4, { width: COL.price.x + COL.price.w - COL.qty.x, bold });
  write(doc, amount, COL.amount.x, y + 4, { width: COL.amount.w, align: 'right', bold });
  return y + 18;
}

function taxSummary(doc: Doc, m: DocumentModel, y: number): number {
  if (m.taxes.length === 0) return y;
  y = room(doc, m, y + 10, 30 + 14 * m.taxes.length);
  write(doc, 'Tax summary', MARGIN, y, { width: 200, bold: true });
  y += 14;
  // Same columns as the line table: rate under quantity, base under unit price, tax under amount.
  const cols = [{ x: MARGIN, w: 200 }, COL.qty, COL.price, COL.amount];
  const cells = (values: string[], bold: boolean) =>
    values.forEach((v, i) => write(doc, v, cols[i]!.x, y, { width: cols[i]!.w, align: i === 0 ? 'left' : 'right', bold }));
  cells(['Tax', 'Rate', 'Base', `Tax (${m.currency})`], true);
  y += 14;
  for (const t of m.taxes) {
    cells([t.label, t.rate, t.base, t.amount], false);
    y += 14;
  }
  return y;
}

/** DRAFT across every page of a draft, and "page i of n" at every foot. */
function marks(doc: Doc, m: DocumentModel): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // writing into the margin must not start a new page
    if (m.draft) {
      doc.save().rotate(-35, { origin: [doc.page.width / 2, doc.page.height / 2] }).fillColor('#cc0000').fillOpacity(0.15);
      doc.font(BOLD).fontSize(120).text('DRAFT', 0, doc.page.height / 2 - 60, { width: doc.page.width, align: 'center', lineBreak: false });
      doc.restore();
    }
    write(doc, `${documentHeading(m)} · page ${i - range.start + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN + 10, { width: RIGHT - MARGIN, align: 'right', size: 7.5 });
  }
}

export function renderPdf(m: DocumentModel): Promise<Buffer> {
  const info = {
    Title: winAnsi(documentHeading(m)),
    ...(m.issuer ? { Author: winAnsi(m.issuer.name) } : {}),
    // The issue instant, not "now": the same final invoice gives the same bytes on every request.
    ...(m.issuedAt ? { CreationDate: new Date(m.issuedAt) } : {}),
  };
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let y = tableHeader(doc, m, head(doc, m));
  for (const g of m.groups) {
    y = room(doc, m, y + 4, 30);
    y += write(doc, g.title, MARGIN, y, { width: RIGHT - MARGIN, bold: true }) + 2;
    for (const r of g.rows) y = drawRow(doc, m, r, y);
  }
  if (m.subtotal !== undefined) y = sumRow(doc, m, 'Subtotal', m.subtotal, y + 2, false);
  for (const r of m.contractRows) y = drawRow(doc, m, r, y);
  for (const t of m.totals) y = sumRow(doc, m, t.label, t.amount, y + 2, t.grand === true);
  y = taxSummary(doc, m, y);
  for (const n of m.notes) {
    y = room(doc, m, y + 12, 30);
    y += write(doc, n, MARGIN, y, { width: RIGHT - MARGIN, bold: true });
  }
  marks(doc, m);
  doc.end();
  return done;
}
