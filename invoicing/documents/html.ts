// Document model → one self-contained, printable HTML page (no script, no external asset; the
// style is inline so the page prints the same when saved). Every piece of text goes through
// esc(): customer names, addresses, reasons and ids are data, never markup.
import type { DocRow, DocumentModel, Party } from './model.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

const STYLE = `
@page { size: A4; margin: 18mm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #111; max-width: 190mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; gap: 2em; }
h1 { font-size: 18pt; margin: 0 0 .3em; }
.party p, .facts p { margin: 0; }
.facts { text-align: right; }
.billto { margin: 1.5em 0; }
.label { color: #555; font-size: 8pt; text-transform: uppercase; letter-spacing: .05em; }
table { width: 100%; border-collapse: collapse; margin-top: 1em; }
th, td { padding: .25em .4em; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #111; font-size: 8.5pt; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.group td { font-weight: bold; padding-top: .8em; }
tr.sum td { border-top: 1px solid #999; }
tr.grand td { border-top: 2px solid #111; font-weight: bold; }
.detail { color: #555; font-size: 8.5pt; }
.notes { margin-top: 1.5em; font-weight: bold; }
.draft { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 96pt; font-weight: bold;
  color: rgba(200, 0, 0, .15); transform: rotate(-30deg); pointer-events: none; }
.draft-banner { color: #b00; font-weight: bold; }
`;

function party(p: Party): string {
  const lines = [`<p><strong>${esc(p.name)}</strong></p>`, ...p.address.map((a) => `<p>${esc(a)}</p>`)];
  if (p.country) lines.push(`<p>${esc(p.country)}</p>`);
  if (p.vatId) lines.push(`<p>VAT ID: ${esc(p.vatId)}</p>`);
  if (p.email) lines.push(`<p>${esc(p.email)}</p>`);
  return lines.join('');
}

const cell = (v: string | undefined, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${v === undefined ? '' : esc(v)}</td>`;

function row(r: DocRow): string {
  const desc = `${esc(r.description)}${r.detail ? `<div class="detail">${esc(r.detail)}</div>` : ''}`;
  return `<tr><td>${desc}</td>${cell(r.quantity, 'num')}${cell(r.unit)}${cell(r.unitPrice, 'num')}${cell(r.amount, 'num')}</tr>`;
}

const sumRow = (label: string, amount: string, cls: string): string =>
  `<tr class="${cls}"><td colspan="4">${esc(label)}</td><td class="num">${esc(amount)}</td></tr>`;

function lines(m: DocumentModel): string {
  const body: string[] = [];
  for (const g of m.groups) {
    body.push(`<tr class="group"><td colspan="5">${esc(g.title)}</td></tr>`, ...g.rows.map(row));
  }
  if (m.subtotal !== undefined) body.push(sumRow('Subtotal', m.subtotal, 'sum'));
  body.push(...m.contractRows.map(row));
  for (const t of m.totals) body.push(sumRow(t.label, t.amount, t.grand ? 'grand' : 'sum'));
  return `<table class="lines"><thead><tr><th>Description</th><th class="num">Quantity</th><th>Unit</th><th class="num">Unit price</th><th class="num">Amount (${esc(m.currency)})</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

function taxes(m: DocumentModel): string {
  if (m.taxes.length === 0) return '';
  const rows = m.taxes.map((t) => `<tr>${cell(t.label)}${cell(t.rate, 'num')}${cell(t.base, 'num')}${cell(t.amount, 'num')}</tr>`);
  return `<h2 class="label">Tax summary</h2><table class="taxes"><thead><tr><th>Tax</th><th class="num">Rate</th><th class="num">Base</th><th class="num">Tax (${esc(m.currency)})</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function documentHeading(m: DocumentModel): string {
  return `${m.draft ? 'DRAFT ' : ''}${m.title}${m.number ? ` ${m.number}` : ''}`;
}

export function renderHtml(m: DocumentModel): string {
  const facts = [
    m.number ? `<p>Number: <strong>${esc(m.number)}</strong></p>` : '',
    m.issueDate ? `<p>Issue date: ${esc(m.issueDate)}</p>` : '',
    m.period ? `<p>Period: ${esc(m.period.from)} – ${esc(m.period.to)}</p>` : '',
    ...m.facts.map((f) => `<p>${esc(f.label)}: ${esc(f.value)}</p>`),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(documentHeading(m))}</title><style>${STYLE}</style></head>
<body>
${m.draft ? '<div class="draft" aria-hidden="true">DRAFT</div>' : ''}
<header><div class="party issuer">${m.issuer ? party(m.issuer) : ''}</div>
<div class="facts"><h1>${esc(m.title)}</h1>${m.draft ? '<p class="draft-banner">DRAFT — not a final invoice, amounts may change</p>' : ''}${facts}</div></header>
<section class="billto"><div class="label">Bill to</div><div class="party customer">${party(m.customer)}</div></section>
${lines(m)}
${taxes(m)}
${m.notes.map((n) => `<p class="notes">${esc(n)}</p>`).join('')}
</body></html>
`;
}
