// /invoices/:id (the API's invoice id): lines, totals and documents; /invoices/:id/lines/:n:
// the explain drill-down (line → rollup parts → usage.rollups and metrics.raw offsets). What
// the key may not read is the API's 404, shown as an empty 404 page.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { passDocument, refused, type ConsoleEnv } from '../http.js';
import { periodLabel, type Invoice, type Line } from '../invoice-types.js';
import { creditNotesSection } from './credit-notes.js';
import { flash, layout, type Html } from './layout.js';

interface OffsetRange { topic: string; partition: number; first_offset: string; last_offset: string; parts?: number }
interface Explanation {
  note?: string;
  selection?: { server_id: string; meter: string; from: string; to: string };
  parts_total: number;
  parts: Array<{ part_id: string; window_start: string; window_end: string; correction: boolean; rollup: { topic: string; partition: number; offset: string } }>;
  offsets: { rollups: OffsetRange[]; sources: OffsetRange[] };
}


function linesTable(inv: Invoice): Html {
  const id = encodeURIComponent(inv.id);
  return html`<div class="scroll"><table class="lines">
<thead><tr><th scope="col">#</th><th scope="col">type</th><th scope="col">server</th><th scope="col" class="hide-narrow">plan</th><th scope="col">meter</th>
<th scope="col" class="num">quantity</th><th scope="col" class="num hide-narrow">unit price</th><th scope="col" class="num">amount</th></tr></thead>
<tbody>${inv.lines.map(
    (l: Line, i) => html`<tr><td><a href="/invoices/${id}/lines/${i + 1}" aria-label="${`explain line ${i + 1}`}">${i + 1}</a></td><td>${l.type}${l.period_of_usage ? ` (${l.period_of_usage})` : ''}${l.code ? ` ${l.code} ${l.rate ?? ''}%` : ''}</td>
<td>${l.server_id ?? ''}</td><td class="hide-narrow">${l.plan ?? ''}</td><td>${l.meter ?? ''}</td><td class="num">${l.quantity ?? ''} ${l.unit ?? ''}</td>
<td class="num hide-narrow">${l.unit_price ?? ''}</td><td class="num">${l.amount}</td></tr>`,
  )}</tbody>
<tfoot class="totals">
<tr><td colspan="7">subtotal</td><td class="num" data-total="subtotal">${inv.subtotal}</td></tr>
${inv.total_excluding_tax !== undefined ? html`<tr><td colspan="7">total excluding tax</td><td class="num" data-total="total_excluding_tax">${inv.total_excluding_tax}</td></tr>` : ''}
${inv.tax_total !== undefined ? html`<tr><td colspan="7">tax</td><td class="num" data-total="tax_total">${inv.tax_total}</td></tr>` : ''}
<tr><td colspan="7">total (${inv.currency})</td><td class="num" data-total="total">${inv.total}</td></tr>
</tfoot></table></div>`;
}

export function invoiceRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/invoices/:id/:doc{document\\.(?:html|pdf)}', (c) => passDocument(c, `/v1/invoices/${encodeURIComponent(c.req.param('id'))}`, c.req.param('doc')));

  app.get('/invoices/:id', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const a = await c.get('api').get<Invoice>(`/v1/invoices/${encodeURIComponent(id)}`);
    if (!a.body) return refused(c, a);
    const inv = a.body;
    const eid = encodeURIComponent(inv.id);
    const body = html`${flash(c.req.query())}<section class="card">
<p><span class="badge ${inv.status}">${inv.status}</span> ${inv.number ? html`number <strong>${inv.number}</strong> · ` : ''}customer <strong>${inv.customer}</strong> ·
period <strong>${periodLabel(inv)}</strong> (${inv.period.start} – ${inv.period.end})</p>
<p>Documents: <a href="/invoices/${eid}/document.html">HTML</a> · <a href="/invoices/${eid}/document.pdf">PDF</a></p>
${linesTable(inv)}
<p class="hint">Select a line number to see the rollups and Kafka offsets behind it.</p>
</section>
${creditNotesSection(c, inv)}`;
    return c.html(layout({ title: `Invoice ${inv.number ?? inv.id}`, session }, body));
  });

  app.get('/invoices/:id/lines/:n{[0-9]+}', async (c) => {
    const session = c.get('session');
    const id = encodeURIComponent(c.req.param('id'));
    const n = c.req.param('n');
    const q = c.req.query();
    const page = new URLSearchParams({ limit: '100', offset: q.offset && /^\d+$/.test(q.offset) ? q.offset : '0' });
    const a = await c.get('api').get<Explanation>(`/v1/invoices/${id}/lines/${n}/explain?${page.toString()}`);
    if (!a.body) return refused(c, a);
    const e = a.body;
    const offset = Number(page.get('offset'));
    const ranges = (cls: string, title: string, list: OffsetRange[]) => html`<table class="${cls}"><caption>${title}</caption>
<thead><tr><th scope="col">topic</th><th scope="col" class="num">partition</th><th scope="col" class="num">first offset</th><th scope="col" class="num">last offset</th></tr></thead>
<tbody>${list.map((r) => html`<tr><td>${r.topic}</td><td class="num">${r.partition}</td><td class="num">${r.first_offset}</td><td class="num">${r.last_offset}</td></tr>`)}</tbody></table>`;
    const body = html`<p><a href="/invoices/${id}">← invoice</a></p>
<section class="card">
${e.note ? html`<p>${e.note}.</p>` : ''}
${e.selection ? html`<p>Server <strong>${e.selection.server_id}</strong>, meter <strong>${e.selection.meter}</strong>, ${e.selection.from} – ${e.selection.to}.</p>` : ''}
<div class="scroll">${ranges('rollup-offsets', 'usage.rollups offsets', e.offsets.rollups)}${ranges('source-offsets', 'metrics.raw offsets of the samples', e.offsets.sources)}</div>
</section>
${e.parts_total > 0
  ? html`<section class="card scroll"><h2>Rollup parts (${offset + 1}–${offset + e.parts.length} of ${e.parts_total})</h2>
<table class="parts"><thead><tr><th scope="col">part</th><th scope="col">window</th><th scope="col">usage.rollups</th><th scope="col">correction</th></tr></thead>
<tbody>${e.parts.map((p) => html`<tr><td><code>${p.part_id}</code></td><td>${p.window_start} – ${p.window_end}</td><td>${p.rollup.topic} [${p.rollup.partition}] @ ${p.rollup.offset}</td><td>${p.correction ? 'yes' : ''}</td></tr>`)}</tbody></table>
${offset + e.parts.length < e.parts_total ? html`<p><a href="/invoices/${id}/lines/${n}?offset=${offset + e.parts.length}">Next parts →</a></p>` : ''}
</section>`
  : ''}`;
    return c.html(layout({ title: `Invoice line ${n}`, session }, body));
  });
  return app;
}
