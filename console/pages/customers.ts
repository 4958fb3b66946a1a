// /customers (finance): customers and their subscriptions from GET /v1/subscriptions, and the
// provisioning forms — create a customer (PUT /v1/customers/:id), subscribe a server (POST
// /v1/subscriptions), end one or change its plan (PATCH `to`, then POST the new plan from the
// same instant, SPEC §10). The API's 409/422 message is shown as it is.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { formFields, refused, type ConsoleContext, type ConsoleEnv } from '../http.js';
import { csrfField, flash, layout, type Html } from './layout.js';

interface Subscription { id: string; server_id: string; customer: string; plan: string; from: string; to: string | null }

const back = (c: ConsoleContext, ok: string | undefined, error: string | undefined) =>
  c.redirect(`/customers?${ok ? `ok=${encodeURIComponent(ok)}` : `error=${encodeURIComponent(error ?? 'refused')}`}`, 303);
const isoOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function planSelect(plans: readonly string[], name = 'plan'): Html {
  return html`<select name="${name}" required>${plans.map((p) => html`<option>${p}</option>`)}</select>`;
}

function subscriptionRow(s: Subscription, plans: readonly string[], csrf: Html, nowIso: string): Html {
  const id = encodeURIComponent(s.id);
  // Open, or a fixed term still running: it can end early, or change plan (the new plan keeps the end).
  const running = s.to === null || Date.parse(s.to) > Date.parse(nowIso);
  return html`<tr><td>${s.server_id}</td><td>${s.plan}</td><td>${s.from}</td><td>${s.to ?? 'open'}</td><td>${running
    ? html`<form method="post" action="/subscriptions/${id}/end" class="inline">${csrf}<label>End at <input name="to" value="${nowIso}" size="20"></label><button type="submit" class="secondary">End</button></form>
<form method="post" action="/subscriptions/${id}/change-plan" class="inline">${csrf}<input type="hidden" name="server_id" value="${s.server_id}"><label>New plan ${planSelect(plans)}</label><label>From <input name="at" value="${nowIso}" size="20"></label><button type="submit" class="secondary">Change plan</button></form>`
    : ''}</td></tr>`;
}

export function customersRoutes(o: { plans: readonly string[]; now: () => number }): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const financeOnly = (c: ConsoleContext) => (c.get('session').role === 'finance' ? undefined : refused(c, { status: 403, contentType: '' }));

  app.get('/customers', async (c) => {
    const session = c.get('session');
    const a = await c.get('api').get<{ subscriptions: Subscription[] }>('/v1/subscriptions');
    if (!a.body) return refused(c, a);
    const byCustomer = new Map<string, Subscription[]>();
    for (const s of a.body.subscriptions) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
    const csrf = csrfField(session);
    const nowIso = isoOf(o.now());
    const body = html`${flash(c.req.query())}
${[...byCustomer.keys()].sort().map((customer) => html`<section class="card scroll" aria-labelledby="c-${customer}"><h2 id="c-${customer}">${customer}</h2>
<p><a href="/invoices?customer=${encodeURIComponent(customer)}">invoices</a> · <a href="/usage?customer=${encodeURIComponent(customer)}">usage</a></p>
<table><thead><tr><th scope="col">server</th><th scope="col">plan</th><th scope="col">from</th><th scope="col">to</th><th scope="col">change</th></tr></thead>
<tbody>${byCustomer.get(customer)!.map((s) => subscriptionRow(s, o.plans, csrf, nowIso))}</tbody></table></section>`)}
<form method="post" action="/subscriptions" class="card inline" aria-labelledby="new-sub"><h2 id="new-sub" class="full">Subscribe a server</h2>${csrf}
  <label>Server <input name="server_id" required></label><label>Customer <input name="customer" required></label>
  <label>Plan ${planSelect(o.plans)}</label><label>From <input name="from" value="${nowIso}" required size="20"></label>
  <button type="submit">Subscribe</button></form>
<form method="post" action="/customers" class="card inline" aria-labelledby="new-cust"><h2 id="new-cust" class="full">Create a customer</h2>${csrf}
  <label>Id <input name="id" required pattern="[A-Za-z0-9._-]+"></label><label>Currency <input name="currency" placeholder="catalogue default" size="5"></label>
  <button type="submit">Create or replace</button>
  <p class="hint full">Replacing an existing customer replaces its contract (discount, minimum commit) with none.</p></form>`;
    return c.html(layout({ title: 'Customers', session }, body));
  });

  app.post('/customers', async (c) => {
    const denied = financeOnly(c);
    if (denied) return denied;
    const f = await formFields(c);
    const id = f.id?.trim() ?? '';
    if (!id) return back(c, undefined, 'id: required');
    const a = await c.get('api').send('PUT', `/v1/customers/${encodeURIComponent(id)}`, f.currency?.trim() ? { currency: f.currency.trim() } : {});
    if (a.status === 401) return refused(c, a);
    return back(c, a.status < 300 ? `Customer ${id} ${a.status === 201 ? 'created' : 'replaced'}.` : undefined, a.error);
  });

  app.post('/subscriptions', async (c) => {
    const denied = financeOnly(c);
    if (denied) return denied;
    const f = await formFields(c);
    const a = await c.get('api').send<Subscription>('POST', '/v1/subscriptions', { server_id: f.server_id, customer: f.customer, plan: f.plan, from: f.from });
    if (a.status === 401) return refused(c, a);
    return back(c, a.body ? `Subscription ${a.body.id} created.` : undefined, a.error);
  });

  app.post('/subscriptions/:id/end', async (c) => {
    const denied = financeOnly(c);
    if (denied) return denied;
    const f = await formFields(c);
    const a = await c.get('api').send<Subscription>('PATCH', `/v1/subscriptions/${encodeURIComponent(c.req.param('id'))}`, { to: f.to });
    if (a.status === 401) return refused(c, a);
    return back(c, a.body ? `Subscription ${a.body.id} ends at ${a.body.to}.` : undefined, a.error);
  });

  app.post('/subscriptions/:id/change-plan', async (c) => {
    const denied = financeOnly(c);
    if (denied) return denied;
    const f = await formFields(c);
    const id = c.req.param('id');
    // The subscription as it is now (the form's server_id only narrows the lookup): its end, if it
    // has one, is where the new plan ends too, and what a refused change restores.
    const list = await c.get('api').get<{ subscriptions: Subscription[] }>(`/v1/subscriptions${f.server_id ? `?server_id=${encodeURIComponent(f.server_id)}` : ''}`);
    if (!list.body) return refused(c, list);
    const current = list.body.subscriptions.find((s) => s.id === id);
    if (!current) return back(c, undefined, `no subscription "${id}"`);
    const path = `/v1/subscriptions/${encodeURIComponent(id)}`;
    const ended = await c.get('api').send<Subscription>('PATCH', path, { to: f.at });
    if (ended.status === 401) return refused(c, ended);
    if (!ended.body) return back(c, undefined, ended.error);
    const old = ended.body;
    const started = await c.get('api').send<Subscription>('POST', '/v1/subscriptions', { server_id: old.server_id, customer: old.customer, plan: f.plan, from: f.at, ...(current.to ? { to: current.to } : {}) });
    if (started.body) return back(c, `${old.server_id} moves to ${started.body.plan} at ${started.body.from}.`, undefined);
    // The new plan was refused: give the old subscription its end back, so the server is neither
    // left without one nor kept longer than it was rented.
    await c.get('api').send('PATCH', path, { to: current.to });
    return back(c, undefined, started.error);
  });
  return app;
}
