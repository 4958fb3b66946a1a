// /revenue (finance): revenue by month, customer and plan from GET /v1/invoices, final and
// draft invoices apart (a draft is still growing), net of tax and of the final invoices' credit
// notes (GET /v1/invoices/:id/credit-notes).
import { Hono } from 'hono';
import { html } from 'hono/html';
import { refused, type ConsoleEnv } from '../http.js';
import type { Invoice } from '../invoice-types.js';
import { revenue, type CreditNoteAmounts, type RevenueRow } from '../revenue-model.js';
import { layout, type Html } from './layout.js';

const rows = (title: string, keyName: string, list: RevenueRow[]): Html => html`<table><caption>${title}</caption>
<thead><tr><th scope="col">${keyName}</th><th scope="col" class="num">invoices</th><th scope="col" class="num">amount</th></tr></thead>
<tbody>${list.map((r) => html`<tr><td>${r.key}</td><td class="num">${r.invoices}</td><td class="num">${r.amount} ${r.currency}</td></tr>`)}</tbody></table>
${list.length === 0 ? html`<p class="empty">None.</p>` : ''}`;

export function revenueRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/revenue', async (c) => {
    const session = c.get('session');
    // Reporting over every customer is a finance view; a customer key is refused as the API would.
    if (session.role !== 'finance') return refused(c, { status: 403, contentType: '' });
    const a = await c.get('api').get<{ invoices: Invoice[] }>('/v1/invoices');
    if (!a.body) return refused(c, a);
    const finals = a.body.invoices.filter((i) => i.status === 'final');
    const notes: CreditNoteAmounts[] = [];
    for (const i of finals) {
      const n = await c.get('api').get<{ credit_notes: Omit<CreditNoteAmounts, 'invoice_id'>[] }>(`/v1/invoices/${encodeURIComponent(i.id)}/credit-notes`);
      if (!n.body) return refused(c, n);
      notes.push(...n.body.credit_notes.map((cn) => ({ ...cn, invoice_id: i.id })));
    }
    const section = (status: string, label: string) => {
      const r = revenue(a.body!.invoices.filter((i) => i.status === status), notes);
      return html`<section class="card scroll" aria-label="${label}"><h2>${label}</h2>
${rows('By month', 'period', r.byMonth)}${rows('By customer', 'customer', r.byCustomer)}${rows('By plan (lines that name a plan)', 'plan', r.byPlan)}</section>`;
    };
    return c.html(layout({ title: 'Revenue', session }, html`${section('final', 'Final invoices')}${section('draft', 'Open drafts')}`));
  });
  return app;
}
