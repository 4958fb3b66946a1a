// /usage: usage charts per server and meter (granularity, time range) from GET /v1/rollups —
// for a customer its own servers, for finance the fleet total and the top servers per meter.
// Each chart has its data table beside it: the API's exact strings, readable without a canvas.
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Aggregation } from '../../catalog/types.js';
import { refused, type ConsoleEnv } from '../http.js';
import { chartGroups, type ChartGroup, type RollupRow } from '../usage-model.js';
import { layout, type Html } from './layout.js';

const GRANULARITIES = ['minute', 'hour', 'day', 'month'] as const;
const HOUR = 3600_000;
/** A range that fits the granularity, ending now: what the quick links and defaults offer. */
const SPANS: Record<(typeof GRANULARITIES)[number], { ms: number; label: string }> = {
  minute: { ms: 2 * HOUR, label: 'last 2 hours by minute' },
  hour: { ms: 48 * HOUR, label: 'last 2 days by hour' },
  day: { ms: 62 * 24 * HOUR, label: 'last 2 months by day' },
  month: { ms: 366 * 24 * HOUR, label: 'last year by month' },
};
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function rangeQuery(g: (typeof GRANULARITIES)[number], nowMs: number, keep: URLSearchParams): string {
  const to = Math.ceil(nowMs / 60_000) * 60_000;
  const q = new URLSearchParams(keep);
  q.set('granularity', g);
  q.set('from', iso(to - SPANS[g].ms));
  q.set('to', iso(to));
  return `/usage?${q.toString()}`;
}

/** Rows of the data table beyond this are left out (with a note): a page, not a data export. */
const MAX_TABLE_ROWS = 5000;

function chart(g: ChartGroup, i: number): Html {
  const plotted = new Set(g.plotted);
  const data = { meter: g.meter, unit: g.unit, buckets: g.buckets, series: g.series.filter((s) => plotted.has(s.label)), ...(g.fleet ? { fleet: g.fleet } : {}) };
  const rows = g.buckets.flatMap((b, bi) => g.series.filter((s) => s.values[bi] !== null).map((s) => [b, s.label, s.values[bi]!] as const));
  const hidden = g.series.length - g.plotted.length;
  return html`<section class="card" aria-labelledby="meter-${i}">
  <h2 id="meter-${i}">${g.meter} <span class="unit">(${g.unit})</span></h2>
  <div class="chart" data-chart="${JSON.stringify(data)}" role="img" aria-label="${`${g.meter} over time: ${data.series.length} server(s)${g.fleet ? ' and the fleet total' : ''}`}"></div>
  ${hidden > 0 ? html`<p class="hint">The chart draws ${g.plotted.length} of ${g.series.length} servers${g.top.length > 0 ? ' (the top ones)' : ''}; pick a server to see it alone.</p>` : ''}
  ${g.top.length > 0
    ? html`<table class="top"><caption>Top servers over the range</caption>
      <thead><tr><th scope="col">server</th><th scope="col" class="num">${g.unit}</th></tr></thead>
      <tbody>${g.top.map((t) => html`<tr><td><a href="/usage?server_id=${encodeURIComponent(t.server_id)}">${t.server_id}</a></td><td class="num">${t.value}</td></tr>`)}</tbody></table>`
    : ''}
  <details><summary>Data points (${rows.length})</summary>
  <div class="scroll"><table class="points" data-meter="${g.meter}"><thead><tr><th scope="col">bucket</th><th scope="col">server</th><th scope="col" class="num">value</th></tr></thead>
  <tbody>${rows.slice(0, MAX_TABLE_ROWS).map(([b, server, v]) => html`<tr><td>${b}</td><td>${server}</td><td class="num">${v}</td></tr>`)}</tbody></table></div>
  ${rows.length > MAX_TABLE_ROWS ? html`<p class="hint">The first ${MAX_TABLE_ROWS} of ${rows.length} points; narrow the range or pick a server for the rest.</p>` : ''}
  </details>
</section>`;
}

export function usageRoutes(o: { aggregationOf: (meter: string) => Aggregation | undefined; meters: readonly string[]; now: () => number }): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/usage', async (c) => {
    const session = c.get('session');
    const q = c.req.query();
    const granularity = (GRANULARITIES as readonly string[]).includes(q.granularity ?? '') ? (q.granularity as (typeof GRANULARITIES)[number]) : 'hour';
    const nowMs = o.now();
    const to = q.to || iso(Math.ceil(nowMs / 60_000) * 60_000);
    const from = q.from || iso(Date.parse(to) - SPANS[granularity].ms);
    // A granularity the spec does not name goes to the API as asked: its 400 names the field
    // (a chart at some other granularity than the one asked for would mislead).
    const params = new URLSearchParams({ granularity: q.granularity || granularity, from, to });
    for (const k of ['server_id', 'meter', 'customer'] as const) if (q[k]) params.set(k, q[k]);
    const a = await c.get('api').get<{ rollups: RollupRow[] }>(`/v1/rollups?${params.toString()}`);
    if (a.status !== 200 && a.status !== 400) return refused(c, a);
    const rows = a.body?.rollups ?? [];
    const groups = chartGroups(rows, o.aggregationOf, session.role === 'finance' && !q.server_id);
    const servers = [...new Set(rows.map((r) => r.server_id))].sort();
    const keep = new URLSearchParams();
    for (const k of ['server_id', 'meter'] as const) if (q[k]) keep.set(k, q[k]);
    const body = html`
<form method="get" action="/usage" class="card filters">
  <label>Server <input name="server_id" value="${q.server_id ?? ''}" list="servers" placeholder="all"></label>
  <datalist id="servers">${servers.map((s) => html`<option value="${s}"></option>`)}</datalist>
  <label>Meter <input name="meter" value="${q.meter ?? ''}" list="meters" placeholder="all"></label>
  <datalist id="meters">${o.meters.map((m) => html`<option value="${m}"></option>`)}</datalist>
  <label>Granularity <select name="granularity">${GRANULARITIES.map((g) => html`<option${g === granularity ? html` selected` : ''}>${g}</option>`)}</select></label>
  <label>From <input name="from" value="${from}" spellcheck="false"></label>
  <label>To <input name="to" value="${to}" spellcheck="false"></label>
  <button type="submit">Show</button>
</form>
<p class="quick">${GRANULARITIES.map((g) => html`<a href="${rangeQuery(g, nowMs, keep)}">${SPANS[g].label}</a> `)}</p>
${a.status === 400 ? html`<p class="flash error" role="alert">${a.error}</p>` : ''}
${groups.length === 0 && a.status === 200 ? html`<p class="empty">No usage in this range${q.server_id ? html` for ${q.server_id}` : ''}.</p>` : ''}
${groups.map(chart)}`;
    return c.html(
      layout({ title: 'Usage', session, scripts: ['/assets/uplot/uPlot.iife.min.js', '/assets/usage-chart.js'], styles: ['/assets/uplot/uPlot.min.css'] }, body),
      a.status === 400 ? 400 : 200,
    );
  });
  return app;
}
