// /invoices: the invoices the key may read (GET /v1/invoices), filtered by period and — for
// finance — customer; finance also finalizes a period here (POST /v1/invoices/finalize).
import { Hono } from 'hono';
import { html } from 'hono/html';
import { formFields, refused, type ConsoleEnv } from '../http.js';
import { periodLabel, type Invoice } from '../invoice-types.js';
import { csrfField, flash, layout } from './layout.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function invoicesRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/invoices', async (c) => {
    const session = c.get('session');
    const q = c.req.query();
    const params = new URLSearchParams();
    if (q.period) params.set('period', q.period);
    if (q.customer) params.set('customer', q.customer);
    const a = await c.get('api').get<{ invoices: Invoice[] }>(`/v1/invoices?${params.toString()}`);
    if (a.status === 422) return c.redirect(`/invoices?error=${encodeURIComponent(a.error ?? 'bad filter')}`, 303);
    if (!a.body) return refused(c, a);
    const invoices = [...a.body.invoices].sort((x, y) => y.period.start.localeCompare(x.period.start) || x.customer.localeCompare(y.customer));
    const finance = session.role === 'finance';
    const body = html`${flash(q)}
<form method="get" action="/invoices" class="card filters">
  <label>Period <input name="period" value="${q.period ?? ''}" placeholder="YYYY-MM" pattern="\\d{4}-\\d{2}" size="8"></label>
  ${finance ? html`<label>Customer <input name="customer" value="${q.customer ?? ''}" placeholder="all"></label>` : ''}
  <button type="submit">Filter</button>
</form>
<div class="card scroll"><table class="invoices">
<thead><tr><th scope="col">invoice</th><th scope="col">customer</th><th scope="col">period</th><th scope="col">status</th><th scope="col" class="num">total</th></tr></thead>
<tbody>${invoices.map(
      (i) => html`<tr data-id="${i.id}"><td><a href="/invoices/${encodeURIComponent(i.id)}">${i.number ?? i.id}</a></td><td>${i.customer}</td><td>${periodLabel(i)}</td>
<td><span class="badge ${i.status}">${i.status}</span></td><td class="num">${i.total} ${i.currency}</td></tr>`,
    )}</tbody></table>
${invoices.length === 0 ? html`<p class="empty">No invoices.</p>` : ''}</div>
${finance
  ? html`<form method="post" action="/invoices/finalize" class="card inline" aria-labelledby="fin-h">
  <h2 id="fin-h" class="full">Finalize a period</h2>
  ${csrfField(session)}
  <label>Period <input name="period" required placeholder="YYYY-MM" size="8"></label>
  <label>Customer <input name="customer" placeholder="all"></label>
  <button type="submit">Finalize</button>
  <p class="hint full">Final invoices never change; usage arriving later is billed as an adjustment on the next invoice.</p>
</form>`
  : ''}`;
    return c.html(layout({ title: 'Invoices', session }, body));
  });

  app.post('/invoices/finalize', async (c) => {
    if (c.get('session').role !== 'finance') return refused(c, { status: 403, contentType: '' });
    const f = await formFields(c);
    const period = f.period?.trim() ?? '';
    if (!PERIOD.test(period)) return c.redirect(`/invoices?error=${encodeURIComponent('period: must be YYYY-MM (e.g. 2026-10)')}`, 303);
    const params = new URLSearchParams({ period });
    if (f.customer?.trim()) params.set('customer', f.customer.trim());
    const a = await c.get('api').send<{ results: unknown[] }>('POST', `/v1/invoices/finalize?${params.toString()}`);
    if (a.status === 401 || a.status === 403) return refused(c, a);
    const msg = a.body ? `Finalized ${period}: ${a.body.results.length} result(s).` : undefined;
    return c.redirect(`/invoices?period=${period}&${msg ? `ok=${encodeURIComponent(msg)}` : `error=${encodeURIComponent(a.error ?? 'refused')}`}`, 303);
  });
  return app;
}
