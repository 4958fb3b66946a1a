// End to end over HTTP (SPEC §7): a perfdata file and a nagios.log with a HARD DOWN/UP pair are
// POSTed to the ingest role; the aggregate, sink and rate roles run as child processes
// (`node bin/meterline.js aggregate|sink|rate`); rollups come out in TimescaleDB and through
// GET /v1/rollups, the down interval through GET /v1/availability, and the SLA credit on the
// customer's draft invoice through GET /v1/invoices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/env.js';
import { Decimal } from '../../lib/decimal.js';
import { issueKey, pgKeyStore } from '../../api/auth/index.js';
import { apiRole } from '../../api/role.js';
import { ingestRole } from '../../pipeline/ingest/role.js';
import { createLogger } from '../../observability/log.js';
import { roleServer, type RoleServer } from '../../observability/serve.js';
import type { RunningRole } from '../../roles/role.js';
import { pipeline, RoleProcess, until, type Pipeline } from './harness.js';

// http_hits is a delta meter on the perfdata value `hits` of service HTTP; the plan has an SLA.
const CATALOG = `
currency: USD
timezone: UTC
meters:
  http_hits: { metric: nagios.HTTP.hits, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
    charges:
      - { meter: http_hits, model: per_unit, unit_price: "0.01" }
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" } ]
hosts:
  web01.fra1: srv-1
customers:
  acme: {}
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-01-01T00:00:00Z" }
`;

const HOUR = 3_600_000;
// Two days ago on the hour (inside ingest's 35-day window), kept inside one calendar month.
let t0 = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;
if (new Date(t0).getUTCMonth() !== new Date(t0 + 3 * HOUR).getUTCMonth()) t0 -= 4 * HOUR;
const PERIOD = new Date(t0).toISOString().slice(0, 7);
const s = (ms: number) => Math.floor(ms / 1000);

let p: Pipeline;
let server: RoleServer;
let base = '';
let roles: RunningRole[] = [];
const children: RoleProcess[] = [];
const keys = { agent: '', finance: '' };

before(async () => {
  p = await pipeline('nagios', CATALOG, {
    KAFKA_PARTITIONS: '1', METERLINE_WINDOW: '1m', METERLINE_ALLOWED_LATENESS: '1m', METERLINE_IDLE_TIMEOUT: '2s',
    METERLINE_CATALOG: '', PORT: '0',
  });
  const config = loadConfig({ ...p.env, METERLINE_CATALOG: p.catalogFile });
  const store = pgKeyStore(p.db.pool);
  keys.agent = (await issueKey(store, { role: 'agent' })).secret;
  keys.finance = (await issueKey(store, { role: 'finance' })).secret;
  // The HTTP roles in this process, as `meterline run` wires them, on a real port.
  server = roleServer(config, createLogger('warn'), ['ingest', 'api']);
  roles = [await ingestRole().start(server.context), await apiRole().start(server.context)];
  base = `http://127.0.0.1:${(await server.listen()).port}`;
  children.push(new RoleProcess('aggregate', p, ['--commit-interval', '300ms']), new RoleProcess('sink', p), new RoleProcess('rate', p));
});
after(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  await server?.stop();
  for (const r of roles.reverse()) await r.stop();
  await p?.close();
});

const post = (path: string, body: string) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys.agent}`, 'content-type': 'text/plain' }, body });
const get = async (path: string) => {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${keys.finance}` } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

test('perfdata + nagios.log over HTTP → rollups, availability and an SLA credit on the draft', { timeout: 150_000 }, async () => {
  // nagios.log: HARD DOWN at t0, SOFT noise, HARD UP two hours later.
  const log = [
    `[${s(t0)}] HOST ALERT: web01.fra1;DOWN;HARD;3;PING CRITICAL - Packet loss = 100%`,
    `[${s(t0 + 60_000)}] HOST ALERT: web01.fra1;DOWN;SOFT;1;still down`,
    `[${s(t0 + 2 * HOUR)}] HOST ALERT: web01.fra1;UP;HARD;1;PING OK`,
  ].join('\n');
  const events = await post('/v1/nagios/events', log);
  assert.equal(events.status, 200, await events.clone().text());
  assert.deepEqual(await events.json(), { events: 2, stored: 2, duplicates: 0, ignored: 1, rejected: [] });

  // Perfdata file: hits 10, 20, 30, 40, 50 in five consecutive minutes (delta: 150 in total),
  // then a line of another host near now, whose event time moves the watermark past them.
  const perf = [10, 20, 30, 40, 50].map(
    (hits, i) => `DATATYPE::SERVICEPERFDATA\tTIMET::${s(t0 + 10 * 60_000 + i * 60_000)}\tHOSTNAME::web01.fra1\tSERVICEDESC::HTTP\tSERVICEPERFDATA::hits=${hits};;;0 time=0.012s`,
  );
  perf.push(`DATATYPE::SERVICEPERFDATA\tTIMET::${s(Date.now() - 60_000)}\tHOSTNAME::closer\tSERVICEDESC::HTTP\tSERVICEPERFDATA::hits=1`);
  const r = await post('/v1/nagios/perfdata', perf.join('\n'));
  assert.equal(r.status, 202, await r.clone().text());
  assert.deepEqual(await r.json(), { accepted: 6, ignored: 0, rejected: [] });

  // Rollups: 150 hits of srv-1 on t0's day.
  const day = new Date(t0).toISOString().slice(0, 10);
  await until(
    'the rollups of srv-1 in TimescaleDB',
    async () => {
      const q = await get(`/v1/rollups?server_id=srv-1&meter=http_hits&granularity=day&from=${day}T00:00:00Z`);
      const rows = q.json.rollups as Array<{ value: string }> | undefined;
      return rows?.[0]?.value === '150';
    },
    90_000,
    async () => children.map((c) => c.tail()).join('\n---\n'),
  );

  // Availability: the one HARD interval, two hours.
  const a = await get(`/v1/availability?server_id=srv-1&period=${PERIOD}`);
  assert.equal(a.status, 200);
  assert.deepEqual(a.json.down_intervals, [{ start: new Date(t0).toISOString().replace('.000Z', 'Z'), end: new Date(t0 + 2 * HOUR).toISOString().replace('.000Z', 'Z') }]);
  assert.equal(a.json.down_seconds, '7200');

  // The draft: base fee 30.00 (the whole month subscribed); usage 150 × 0.01 = 1.50;
  // availability 100 × (1 − 7200 ÷ (30 or 31 × 86400)) = 99.72… or 99.73… %: below 99.9, not
  // below 99.0 → credit 10 % of 30.00 = −3.00. Total 28.50.
  // The host states were stored before the perfdata was posted, so the recompute that rates the
  // usage also reads the down interval: the draft with usage 150 is the complete one. Every
  // draft read on the way (30.00, then 27.00 with the credit) must be one moment of it: total =
  // sum of its lines (SPEC §6 step 5, no tax here). A list once paired the 27.00 total with the
  // next draft's lines (two statements, a recompute committed between them; see
  // test/invoicing/db/invoices-snapshot.int.test.ts).
  let lines: Array<Record<string, string>> = [];
  let total = '';
  await until(
    'the draft with usage and the SLA credit',
    async () => {
      const inv = (await get(`/v1/invoices?customer=acme&period=${PERIOD}`)).json.invoices as Array<{ lines: Array<Record<string, string>>; total: string }>;
      lines = inv[0]?.lines ?? [];
      total = inv[0]?.total ?? '';
      if (inv[0]) assert.equal(lines.reduce((sum, l) => sum.plus(l.amount ?? 'NaN'), new Decimal(0)).toFixed(2), total, JSON.stringify(inv[0]));
      return lines.some((l) => l.type === 'usage' && l.quantity === '150');
    },
    60_000,
    async () => JSON.stringify(lines),
  );
  assert.deepEqual(
    lines.map((l) => [l.type, l.amount]),
    [['base_fee', '30.00'], ['usage', '1.50'], ['sla_credit', '-3.00']],
  );
  assert.equal(total, '28.50');
});

/** The child's /metrics (its port is logged at start: PORT=0 lets the OS choose). */
async function scrape(c: RoleProcess): Promise<string> {
  const line = await c.waitFor(/listening on port \d+/);
  const port = /listening on port (\d+)/.exec(line)?.[1];
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
const value = (text: string, series: string): number | undefined => {
  const m = new RegExp(`^${series.replace(/[{}"$.]/g, (ch) => `\\${ch}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

test('every role counted what it did into the metrics it serves', async () => {
  const ingest = await (await fetch(`${base}/metrics`)).text();
  assert.equal(value(ingest, 'meterline_samples_ingested_total{format="nagios-perfdata"}'), 6);
  assert.equal(value(ingest, 'meterline_nagios_host_states_total{result="stored"}'), 2);
  const [aggregate, sink, rate] = await Promise.all(children.map(scrape));
  assert.equal(value(aggregate!, 'meterline_samples_aggregated_total'), 6);
  assert.ok((value(aggregate!, 'meterline_rollups_emitted_total{correction="false"}') ?? 0) >= 2, 'srv-1 and closer parts');
  assert.ok(value(aggregate!, 'meterline_watermark_delay_seconds{partition="0"}') !== undefined);
  assert.ok((value(aggregate!, 'meterline_aggregate_commit_seconds_count') ?? 0) >= 1, 'commits timed');
  assert.ok((value(sink!, 'meterline_sink_rows_total') ?? 0) >= 1);
  assert.ok((value(sink!, 'meterline_sink_batch_seconds_count') ?? 0) >= 1);
  assert.ok((value(rate!, 'meterline_draft_recompute_seconds_count') ?? 0) >= 1);
  assert.match(aggregate!, new RegExp(`^meterline_consumer_lag_records\\{group="${p.prefix.replace(/\./g, '\\.')}meterline-aggregate",`, 'm'));
});
