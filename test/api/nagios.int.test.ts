// POST /v1/nagios/perfdata and /v1/nagios/events, GET /v1/availability and the SLA credit they
// drive, on the whole API over a fresh database (Kafka replaced by a recording publisher).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { syncAll } from '../../invoicing/drafts.js';
import { downIntervalsFor } from '../../nagios/store/index.js';
import { accessApp, type AccessApp } from './access-app.js';

let t: AccessApp;
const NOW = '2026-11-05T00:00:00Z';
const sec = (iso: string) => Date.parse(iso) / 1000;
const TEXT = 'text/plain; charset=utf-8';

before(async () => {
  t = await accessApp('nagios_api', NOW);
  await syncAll(t.db.pool, t.ctx);
});
after(async () => t?.db.drop());

const perfLine = (iso: string, host: string, service: string, perfdata: string) =>
  `DATATYPE::SERVICEPERFDATA\tTIMET::${sec(iso)}\tHOSTNAME::${host}\tSERVICEDESC::${service}\tSERVICEPERFDATA::${perfdata}\tSERVICECHECKCOMMAND::check_ping`;

test('perfdata: good lines become samples; bad lines are rejected by line number and dead-lettered', async () => {
  t.published.length = 0;
  const body = [
    perfLine('2026-11-04T10:00:00Z', 'web01.fra1', 'PING', 'rta=0.046ms;100;500;0 pl=0%;20;60;0'),
    'garbage that is no Nagios line',
    '[1793000000] HOST ALERT: web01.fra1;DOWN;HARD;3;PING CRITICAL',
    '',
    perfLine('2026-11-04T10:05:00Z', 'web01.fra1', 'PING', 'rta=U;100;500;0'),
  ].join('\n');
  const r = await t.call('POST', '/v1/nagios/perfdata', { key: t.keys.agent, body, type: TEXT });
  assert.equal(r.status, 202, r.text);
  const res = r.json as { accepted: number; ignored: number; rejected: Array<{ line: number; code: string }> };
  assert.equal(res.accepted, 1);
  assert.equal(res.ignored, 2); // the blank line and the line whose only value is U
  assert.deepEqual(res.rejected.map((x) => [x.line, x.code]), [[2, 'invalid'], [3, 'invalid']]);

  assert.equal(t.published.length, 1);
  const [batch] = t.published;
  assert.equal(batch!.samples.length, 1);
  const s = batch!.samples[0]!;
  // web01.fra1 → srv-1 by the catalogue's hosts map; 0.046 ms = 0.000046 s; 0 % stays 0.
  assert.equal(s.serverId, 'srv-1');
  assert.equal(s.tsMs, Date.parse('2026-11-04T10:00:00Z'));
  assert.deepEqual(s.metrics, { 'nagios.PING.rta': '0.000046', 'nagios.PING.pl': '0' });
  assert.deepEqual(batch!.deadLetters.map((d) => [d.index, d.original.toString('utf8'), d.source]), [
    [2, 'garbage that is no Nagios line', 'nagios'],
    [3, '[1793000000] HOST ALERT: web01.fra1;DOWN;HARD;3;PING CRITICAL', 'nagios'],
  ]);
  assert.match(batch!.deadLetters[0]!.reason, /^line 2: /);
});

test('perfdata: nothing usable is a 400, a too-old sample a window rejection, a JSON body a 415', async () => {
  const bad = await t.call('POST', '/v1/nagios/perfdata', { key: t.keys.agent, body: 'nope\nnope either\n', type: TEXT });
  assert.equal(bad.status, 400);
  assert.equal((bad.json as { rejected: unknown[] }).rejected.length, 2);
  const old = await t.call('POST', '/v1/nagios/perfdata', { key: t.keys.agent, body: perfLine('2026-09-01T00:00:00Z', 'web01.fra1', 'PING', 'pl=1%'), type: TEXT });
  assert.equal(old.status, 400);
  assert.equal((old.json as { rejected: Array<{ code: string }> }).rejected[0]!.code, 'window');
  const json = await t.call('POST', '/v1/nagios/perfdata', { key: t.keys.agent, body: '[]', type: 'application/json' });
  assert.equal(json.status, 415);
});

const OCT_DOWN = '2026-10-10T00:00:00Z';
const OCT_UP = '2026-10-10T12:00:00Z';
const EVENTS = [
  `[${sec('2026-10-09T23:58:00Z')}] HOST ALERT: web01.fra1;DOWN;SOFT;1;PING CRITICAL`,
  `[${sec(OCT_DOWN)}] HOST ALERT: web01.fra1;DOWN;HARD;3;PING CRITICAL`,
  `[${sec('2026-10-10T01:00:00Z')}] SERVICE ALERT: web01.fra1;HTTP;CRITICAL;HARD;3;refused`,
  `[${sec(OCT_UP)}] HOST ALERT: web01.fra1;UP;HARD;1;PING OK`,
  // srv-2 (beta), Statusengine JSON: HARD DOWN 2026-10-31T23:00Z, never back up.
  JSON.stringify({ timestamp: sec('2026-10-31T23:00:00Z'), statechange: { host_name: 'srv-2', service_description: '', state: 1, state_type: 1 } }),
].join('\n');

test('events: HARD host states are stored once; posting the same lines again stores nothing', async () => {
  const first = await t.call('POST', '/v1/nagios/events', { key: t.keys.agent, body: EVENTS, type: TEXT });
  assert.equal(first.status, 200, first.text);
  // 3 HARD host states; the SOFT alert and the service alert are ignored.
  assert.deepEqual(first.json, { events: 3, stored: 3, duplicates: 0, ignored: 2, rejected: [] });
  const again = await t.call('POST', '/v1/nagios/events', { key: t.keys.agent, body: EVENTS, type: TEXT });
  assert.deepEqual(again.json, { events: 3, stored: 0, duplicates: 3, ignored: 2, rejected: [] });
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM nagios_host_states');
  assert.equal(rows[0].n, 3);

  const down = await downIntervalsFor(t.db.pool, ['srv-1', 'srv-2'], Date.parse('2026-10-01T00:00:00Z'), Date.parse('2026-11-01T00:00:00Z'));
  assert.deepEqual(down.map((d) => [d.serverId, d.host, new Date(d.startMs).toISOString(), d.endMs === null ? null : new Date(d.endMs).toISOString()]), [
    ['srv-1', 'web01.fra1', '2026-10-10T00:00:00.000Z', '2026-10-10T12:00:00.000Z'],
    ['srv-2', 'srv-2', '2026-10-31T23:00:00.000Z', null],
  ]);
  // A range starting after the DOWN still sees srv-2 down (the newest state before it).
  const nov = await downIntervalsFor(t.db.pool, ['srv-2'], Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'));
  assert.deepEqual(nov.map((d) => [d.startMs, d.endMs]), [[Date.parse('2026-10-31T23:00:00Z'), null]]);
});

test('availability: down intervals and percent of the period, computed by hand', async () => {
  const r = await t.call('GET', '/v1/availability?server_id=srv-1&period=2026-10', { key: t.keys.finance });
  assert.equal(r.status, 200, r.text);
  const a = r.json as Record<string, unknown>;
  assert.deepEqual(a.down_intervals, [{ start: '2026-10-10T00:00:00Z', end: '2026-10-10T12:00:00Z' }]);
  // October has 31 × 86400 = 2678400 s; down 12 h = 43200 s;
  // 100 × (1 − 43200/2678400) = 98.3870967741935… → 98.387097 (6 digits, half-up).
  assert.equal(a.down_seconds, '43200');
  assert.equal(a.covered_seconds, '2678400');
  assert.equal(a.availability_pct, '98.387097');

  // srv-2 down from 2026-10-31T23:00Z into November (no UP): October loses 3600 s,
  // 100 × (1 − 3600/2678400) = 99.8655913978… → 99.865591; November so far (4 days to NOW) is all down.
  const b = (await t.call('GET', '/v1/availability?server_id=srv-2&period=2026-10', { key: t.keys.beta })).json as Record<string, unknown>;
  assert.equal(b.availability_pct, '99.865591');
  assert.deepEqual(b.down_intervals, [{ start: '2026-10-31T23:00:00Z', end: '2026-11-01T00:00:00Z' }]);
  const nov = (await t.call('GET', '/v1/availability?server_id=srv-2&period=2026-11', { key: t.keys.finance })).json as Record<string, unknown>;
  assert.equal(nov.as_of, '2026-11-05T00:00:00Z');
  assert.equal(nov.down_seconds, String(4 * 86400));
  assert.equal(nov.availability_pct, '0');

  const bad = await t.call('GET', '/v1/availability?server_id=srv-1&period=2026-13', { key: t.keys.finance });
  assert.equal(bad.status, 400);
  assert.deepEqual((bad.json as { problems: Array<{ path: string }> }).problems.map((p) => p.path), ['period']);
});

test('SLA credits on the drafts follow the stored down time (recomputed when the states arrived)', async () => {
  const lines = async (customer: string) => {
    const r = await t.call('GET', `/v1/invoices?customer=${customer}&period=2026-10`, { key: t.keys.finance });
    return ((r.json as { invoices: Array<{ lines: Array<Record<string, string>> }> }).invoices[0]?.lines ?? []).filter((l) => l.type === 'sla_credit');
  };
  // acme: 98.387… % is below 99.0 → 25 % of the 30.00 base fee = −7.50.
  assert.deepEqual((await lines('acme')).map((l) => [l.server_id, l.amount]), [['srv-1', '-7.50']]);
  // beta: 99.866 % is below 99.9 but not 99.0 → 10 % of 30.00 = −3.00.
  assert.deepEqual((await lines('beta')).map((l) => [l.server_id, l.amount]), [['srv-2', '-3.00']]);
});
