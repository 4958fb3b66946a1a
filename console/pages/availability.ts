// /availability?server_id=&period=: a server's availability in a billing period and its HARD
// down intervals (GET /v1/availability). A customer picks among the servers on its invoices.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import { refused, type ConsoleEnv } from '../http.js';
import type { Invoice } from '../invoice-types.js';
import { layout } from './layout.js';

interface Availability {
  server_id: string;
  period: { label: string };
  as_of: string;
  covered: { from: string; to: string }[];
  down_intervals: { start: string; end: string }[];
  down_seconds: number;
  availability_pct: string;
}

export function availabilityRoutes(o: { now: () => number; timezone: string }): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/availability', async (c) => {
    const session = c.get('session');
    const q = c.req.query();
    const period = q.period || DateTime.fromMillis(o.now(), { zone: o.timezone }).toFormat('yyyy-MM');
    // The servers this key has been billed for: the choices offered (any id may still be typed).
    const inv = await c.get('api').get<{ invoices: Invoice[] }>('/v1/invoices');
    if (!inv.body) return refused(c, inv);
    const servers = [...new Set(inv.body.invoices.flatMap((i) => i.lines.map((l) => l.server_id).filter((s): s is string => !!s)))].sort();
    const serverId = q.server_id || servers[0];
    let result = html``;
    let status: 200 | 400 = 200;
    if (serverId) {
      const a = await c.get('api').get<Availability>(`/v1/availability?${new URLSearchParams({ server_id: serverId, period }).toString()}`);
      if (a.status === 400) {
        status = 400;
        result = html`<p class="flash error" role="alert">${a.error}</p>`;
      } else if (!a.body) return refused(c, a);
      else {
        const v = a.body;
        result = html`<section class="card"><h2>${v.server_id} in ${v.period.label}</h2>
<p>Availability <strong data-availability>${v.availability_pct} %</strong> as of ${v.as_of} (down ${v.down_seconds} s).</p>
<div class="scroll"><table><caption>HARD down intervals</caption><thead><tr><th scope="col">from</th><th scope="col">to</th></tr></thead>
<tbody>${v.down_intervals.map((d) => html`<tr><td>${d.start}</td><td>${d.end}</td></tr>`)}</tbody></table></div>
${v.down_intervals.length === 0 ? html`<p class="empty">No downtime.</p>` : ''}</section>`;
      }
    }
    const body = html`<form method="get" action="/availability" class="card filters">
  <label>Server <input name="server_id" value="${serverId ?? ''}" list="servers" required></label>
  <datalist id="servers">${servers.map((s) => html`<option value="${s}"></option>`)}</datalist>
  <label>Period <input name="period" value="${period}" placeholder="YYYY-MM" size="8"></label>
  <button type="submit">Show</button>
</form>${result}`;
    return c.html(layout({ title: 'Availability', session }, body), status);
  });
  return app;
}
