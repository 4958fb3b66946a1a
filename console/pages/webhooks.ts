// /webhooks (finance, SPEC §13): the endpoints, a form to add one (its signing secret is shown
// once, on the page that follows), removal, and /webhooks/:id with its deliveries.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { formFields, refused, type ConsoleEnv } from '../http.js';
import { csrfField, flash, layout } from './layout.js';

interface Webhook { id: string; url: string; events: string[]; created_at: string }
interface Delivery { id: string; event_type: string; customer: string; status: string; attempts: number; last_response_code: number | null; last_error: string | null; last_attempt_at: string | null; next_attempt_at: string | null }

const EVENTS = ['invoice.finalized', 'credit_note.created', 'usage.alert'] as const;

export function webhookRoutes(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/webhooks', async (c) => {
    const session = c.get('session');
    const a = await c.get('api').get<{ webhooks: Webhook[] }>('/v1/webhooks');
    if (!a.body) return refused(c, a);
    const csrf = csrfField(session);
    const body = html`${flash(c.req.query())}
<div class="card scroll"><table class="webhooks"><thead><tr><th scope="col">URL</th><th scope="col">events</th><th scope="col">since</th><th scope="col"></th></tr></thead>
<tbody>${a.body.webhooks.map((w) => html`<tr><td><a href="/webhooks/${encodeURIComponent(w.id)}">${w.url}</a></td><td>${w.events.join(', ')}</td><td>${w.created_at}</td>
<td><form method="post" action="/webhooks/${encodeURIComponent(w.id)}/delete">${csrf}<button type="submit" class="secondary">Remove</button></form></td></tr>`)}</tbody></table>
${a.body.webhooks.length === 0 ? html`<p class="empty">No webhooks.</p>` : ''}</div>
<form method="post" action="/webhooks" class="card inline" aria-labelledby="wh-new"><h2 id="wh-new" class="full">Add a webhook</h2>${csrf}
  <label>URL <input name="url" type="url" required placeholder="https://billing.example.com/hooks" size="40"></label>
  <fieldset><legend>Events</legend>${EVENTS.map((e) => html`<label><input type="checkbox" name="event_${e}" value="1" checked> ${e}</label>`)}</fieldset>
  <button type="submit">Add</button></form>`;
    return c.html(layout({ title: 'Webhooks', session }, body));
  });

  app.post('/webhooks', async (c) => {
    const f = await formFields(c);
    const events = EVENTS.filter((e) => f[`event_${e}`] === '1');
    const a = await c.get('api').send<Webhook & { secret: string }>('POST', '/v1/webhooks', { url: f.url ?? '', events });
    if (a.status === 401 || a.status === 403) return refused(c, a);
    if (!a.body) return c.redirect(`/webhooks?error=${encodeURIComponent(a.error ?? 'refused')}`, 303);
    // The secret exists only in this answer: shown here once, never stored by the console.
    const body = html`<section class="card"><p role="status">Webhook <strong>${a.body.url}</strong> added.</p>
<p>Its signing secret — copy it now, it is not shown again:</p><p><code data-secret>${a.body.secret}</code></p>
<p><a href="/webhooks">Back to webhooks</a></p></section>`;
    return c.html(layout({ title: 'Webhook added', session: c.get('session') }, body), 201);
  });

  app.post('/webhooks/:id/delete', async (c) => {
    const a = await c.get('api').send('DELETE', `/v1/webhooks/${encodeURIComponent(c.req.param('id'))}`);
    if (a.status === 401 || a.status === 403) return refused(c, a);
    return c.redirect(a.status < 300 ? '/webhooks?ok=Webhook%20removed.' : `/webhooks?error=${encodeURIComponent(a.error ?? 'refused')}`, 303);
  });

  app.get('/webhooks/:id', async (c) => {
    const a = await c.get('api').get<{ deliveries: Delivery[] }>(`/v1/webhooks/${encodeURIComponent(c.req.param('id'))}/deliveries`);
    if (!a.body) return refused(c, a);
    const body = html`<p><a href="/webhooks">← webhooks</a></p><div class="card scroll"><table><caption>Latest deliveries</caption>
<thead><tr><th scope="col">event</th><th scope="col">customer</th><th scope="col">status</th><th scope="col" class="num">attempts</th><th scope="col" class="num">last code</th><th scope="col">last attempt</th><th scope="col">next attempt</th></tr></thead>
<tbody>${a.body.deliveries.map((d) => html`<tr><td>${d.event_type}</td><td>${d.customer}</td><td>${d.status}${d.last_error ? html` <span class="hint">(${d.last_error})</span>` : ''}</td><td class="num">${d.attempts}</td>
<td class="num">${d.last_response_code ?? ''}</td><td>${d.last_attempt_at ?? ''}</td><td>${d.next_attempt_at ?? ''}</td></tr>`)}</tbody></table>
${a.body.deliveries.length === 0 ? html`<p class="empty">No deliveries yet.</p>` : ''}</div>`;
    return c.html(layout({ title: 'Webhook deliveries', session: c.get('session') }, body));
  });
  return app;
}
