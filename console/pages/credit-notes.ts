// Credit notes (SPEC §12.4) in the console: the list under an invoice, finance's form to credit
// a final invoice (whole, or one line's amount), and /credit-notes/:id with its documents.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { formFields, passDocument, refused, type ConsoleContext, type ConsoleEnv } from '../http.js';
import type { Invoice } from '../invoice-types.js';
import { csrfField, layout, type Html } from './layout.js';

interface CreditNote {
  id: string;
  number: string;
  invoice: string;
  customer: string;
  currency: string;
  reason: string;
  lines: { type: string; n?: number; code?: string; rate?: string; base?: string; amount: string }[];
  total_excluding_tax: string;
  tax_total: string;
  total: string;
}

/** The credit notes of an invoice, and (finance, final invoice) the form to add one. */
export async function creditNotesSection(c: ConsoleContext, inv: Invoice): Promise<Html> {
  const a = await c.get('api').get<{ credit_notes: CreditNote[] }>(`/v1/invoices/${encodeURIComponent(inv.id)}/credit-notes`);
  const notes = a.body?.credit_notes ?? [];
  const session = c.get('session');
  const form =
    session.role === 'finance' && inv.status === 'final'
      ? html`<form method="post" action="/invoices/${encodeURIComponent(inv.id)}/credit-notes" class="inline">${csrfField(session)}
  <label>Reason <input name="reason" required></label>
  <label>Line <input name="n" inputmode="numeric" size="3" placeholder="#"></label>
  <label>Amount <input name="amount" inputmode="decimal" size="8" placeholder="10.00"></label>
  <label><input type="checkbox" name="full" value="true"> the whole invoice</label>
  <button type="submit">Create credit note</button></form>`
      : '';
  return html`<section class="card scroll" aria-labelledby="cn-h"><h2 id="cn-h">Credit notes</h2>
<table class="credit-notes"><thead><tr><th scope="col">number</th><th scope="col">reason</th><th scope="col" class="num">total</th></tr></thead>
<tbody>${notes.map((n) => html`<tr><td><a href="/credit-notes/${encodeURIComponent(n.id)}">${n.number}</a></td><td>${n.reason}</td><td class="num">${n.total} ${n.currency}</td></tr>`)}</tbody></table>
${notes.length === 0 ? html`<p class="empty">None.</p>` : ''}${form}</section>`;
}

export function creditNoteRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.post('/invoices/:id/credit-notes', async (c) => {
    const id = c.req.param('id');
    const back = `/invoices/${encodeURIComponent(id)}`;
    if (c.get('session').role !== 'finance') return refused(c, { status: 403, contentType: '' });
    const f = await formFields(c);
    const body = f.full === 'true'
      ? { reason: f.reason ?? '', full: true }
      : { reason: f.reason ?? '', lines: [{ n: /^\d+$/.test(f.n ?? '') ? Number(f.n) : f.n, amount: f.amount ?? '' }] };
    const a = await c.get('api').send<CreditNote>('POST', `/v1/invoices/${encodeURIComponent(id)}/credit-notes`, body);
    if (a.status === 401 || a.status === 403 || a.status === 404) return refused(c, a);
    return c.redirect(a.body ? `/credit-notes/${encodeURIComponent(a.body.id)}` : `${back}?error=${encodeURIComponent(a.error ?? 'refused')}`, 303);
  });

  app.get('/credit-notes/:id/:doc{document\\.(?:html|pdf)}', (c) => passDocument(c, `/v1/credit-notes/${encodeURIComponent(c.req.param('id'))}`, c.req.param('doc')));

  app.get('/credit-notes/:id', async (c) => {
    const a = await c.get('api').get<CreditNote>(`/v1/credit-notes/${encodeURIComponent(c.req.param('id'))}`);
    if (!a.body) return refused(c, a);
    const n = a.body;
    const id = encodeURIComponent(n.id);
    const body = html`<section class="card scroll">
<p>Credits invoice <strong>${n.invoice}</strong> of <strong>${n.customer}</strong>: ${n.reason}</p>
<p>Documents: <a href="/credit-notes/${id}/document.html">HTML</a> · <a href="/credit-notes/${id}/document.pdf">PDF</a></p>
<table><thead><tr><th scope="col">type</th><th scope="col">invoice line</th><th scope="col" class="num">amount</th></tr></thead>
<tbody>${n.lines.map((l) => html`<tr><td>${l.type}${l.code ? ` ${l.code} ${l.rate ?? ''}%` : ''}</td><td>${l.n ?? ''}</td><td class="num">${l.amount}</td></tr>`)}</tbody>
<tfoot class="totals"><tr><td colspan="2">total excluding tax</td><td class="num">${n.total_excluding_tax}</td></tr>
<tr><td colspan="2">tax</td><td class="num">${n.tax_total}</td></tr><tr><td colspan="2">total (${n.currency})</td><td class="num" data-total="total">${n.total}</td></tr></tfoot></table></section>`;
    return c.html(layout({ title: `Credit note ${n.number}`, session: c.get('session') }, body));
  });
  return app;
}
