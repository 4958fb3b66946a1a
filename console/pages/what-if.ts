// /what-if (finance): paste a proposed catalogue, see a period's invoices under it beside the
// current catalogue (POST /v1/what-if: the same rating code, the stored usage, nothing written).
import { Hono } from 'hono';
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import { formFields, refused, type ConsoleContext, type ConsoleEnv } from '../http.js';
import type { Line } from '../invoice-types.js';
import { csrfField, layout, type Html } from './layout.js';

interface Side { catalog: string; currency: string; lines: Line[]; subtotal: string; total: string }
interface Row { customer: string; current: Side | null; proposed: Side | null; difference: string | null }
interface Answer { period: string; current_catalog: string; proposed_catalog: string; customers: Row[] }

const lines = (title: string, s: Side | null): Html =>
  s
    ? html`<table><caption>${title} (${s.catalog})</caption><tbody>${s.lines.map((l) => html`<tr><td>${l.type}</td><td>${l.server_id ?? ''}</td><td>${l.plan ?? ''}</td><td>${l.meter ?? ''}</td><td class="num">${l.amount}</td></tr>`)}
<tr class="totals"><td colspan="4">total</td><td class="num">${s.total}</td></tr></tbody></table>`
    : html`<p class="empty">${title}: no invoice.</p>`;

export function whatIfRoutes(o: { now: () => number; timezone: string }): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const page = (c: ConsoleContext, f: Record<string, string>, result: Html, status: 200 | 422 = 200) => {
    const session = c.get('session');
    const period = f.period || DateTime.fromMillis(o.now(), { zone: o.timezone }).toFormat('yyyy-MM');
    return c.html(
      layout({ title: 'What-if', session }, html`<form method="post" action="/what-if" class="card">${csrfField(session)}
  <div class="inline"><label>Period <input name="period" value="${period}" size="8" required></label>
  <label>Customer <input name="customer" value="${f.customer ?? ''}" placeholder="all"></label></div>
  <label for="catalog">Proposed catalogue (YAML or JSON, the whole file)</label>
  <textarea id="catalog" name="catalog" rows="14" required spellcheck="false">${f.catalog ?? ''}</textarea>
  <button type="submit">Compare</button>
</form>${result}`),
      status,
    );
  };

  app.get('/what-if', (c) => (c.get('session').role === 'finance' ? page(c, {}, html``) : refused(c, { status: 403, contentType: '' })));

  app.post('/what-if', async (c) => {
    if (c.get('session').role !== 'finance') return refused(c, { status: 403, contentType: '' });
    const f = await formFields(c);
    const q = new URLSearchParams({ period: f.period ?? '' });
    if (f.customer) q.set('customer', f.customer);
    const a = await c.get('api').sendText<Answer>(`/v1/what-if?${q.toString()}`, f.catalog ?? '', 'application/yaml');
    if (a.status === 422) return page(c, f, html`<p class="flash error" role="alert">${a.error}</p>`, 422);
    if (!a.body) return refused(c, a);
    const r = a.body;
    const result = html`<section class="card scroll"><h2>${r.period}: current ${r.current_catalog} → proposed ${r.proposed_catalog}</h2>
<table class="what-if"><thead><tr><th scope="col">customer</th><th scope="col" class="num">current</th><th scope="col" class="num">proposed</th><th scope="col" class="num">difference</th></tr></thead>
<tbody>${r.customers.map((x) => html`<tr><td>${x.customer}</td><td class="num">${x.current?.total ?? '—'}</td><td class="num">${x.proposed?.total ?? '—'}</td><td class="num" data-difference="${x.customer}">${x.difference ?? '—'} ${x.current?.currency ?? ''}</td></tr>`)}</tbody></table>
${r.customers.map((x) => html`<details><summary>${x.customer}: the lines</summary>${lines('current', x.current)}${lines('proposed', x.proposed)}</details>`)}</section>`;
    return page(c, f, result);
  });
  return app;
}
