import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../lib/decimal.js';
import {
  availability, buildDownIntervals, downSeconds, parseNagiosLine, parseNagiosLogLine, parseStatusengineLine,
  readNagiosLines, type HostStateEvent,
} from '../../nagios/index.js';

const OCT = Date.UTC(2026, 9, 1); // 2026-10-01T00:00:00Z = 1790812800 s
const NOV = Date.UTC(2026, 10, 1);
const at = (s: number): number => OCT + s * 1000;
const log = (s: number, text: string): string => `[${OCT / 1000 + s}] ${text}`;

function events(lines: string[]): HostStateEvent[] {
  return lines.map((l) => {
    const r = parseNagiosLine(l, {});
    assert.equal(r.kind, 'state', `${l}: ${JSON.stringify(r)}`);
    return (r as { event: HostStateEvent }).event;
  });
}

test('nagios.log host states: HOST ALERT, CURRENT and INITIAL HOST STATE; others ignored', () => {
  assert.deepEqual(parseNagiosLogLine(log(60, 'HOST ALERT: web01;DOWN;HARD;3;CRITICAL - Host Unreachable (10.0.0.1); really')), {
    kind: 'state', event: { host: 'web01', state: 'DOWN', hard: true, tsMs: at(60), source: 'alert' },
  });
  assert.deepEqual(parseNagiosLogLine(log(0, 'HOST ALERT: web01;DOWN;SOFT;1;CRITICAL')), {
    kind: 'state', event: { host: 'web01', state: 'DOWN', hard: false, tsMs: at(0), source: 'alert' },
  });
  assert.deepEqual(parseNagiosLogLine(log(0, 'CURRENT HOST STATE: db 1;UP;HARD;1;PING OK')), {
    kind: 'state', event: { host: 'db 1', state: 'UP', hard: true, tsMs: at(0), source: 'current' },
  });
  assert.equal(parseNagiosLogLine(log(0, 'INITIAL HOST STATE: web01;UNREACHABLE;HARD;1;x')).kind, 'state');
  for (const ignored of [
    'SERVICE ALERT: web01;PING;CRITICAL;HARD;3;PING CRITICAL',
    'HOST NOTIFICATION: admin;web01;DOWN;notify-host-by-email;CRITICAL',
    'CURRENT SERVICE STATE: web01;PING;OK;HARD;1;PING OK',
    'HOST DOWNTIME ALERT: web01;STARTED; Host has entered a period of scheduled downtime',
    'LOG ROTATION: DAILY',
    'Nagios 4.4.14 starting... (PID=1234)',
  ]) assert.deepEqual(parseNagiosLogLine(log(0, ignored)), { kind: 'ignored' }, ignored);
  assert.match(JSON.stringify(parseNagiosLogLine(log(0, 'HOST ALERT: web01;DOWNISH;HARD;1;x'))), /not UP, DOWN or UNREACHABLE/);
  assert.match(JSON.stringify(parseNagiosLogLine(log(0, 'HOST ALERT: web01;DOWN;MEDIUM;1;x'))), /not HARD or SOFT/);
  assert.match(JSON.stringify(parseNagiosLogLine(log(0, 'HOST ALERT: web01'))), /expected host;STATE;STATETYPE/);
});

test('Statusengine statechange messages: broker shape and flat history rows; service changes ignored', () => {
  const broker = { timestamp: OCT / 1000 + 60, statechange: { host_name: 'web01', service_description: '', statechange_type: 1, state: 1, state_type: 1, current_attempt: 3, max_attempts: 3, last_state: 0, last_hard_state: 0, output: 'CRITICAL', long_output: '' } };
  assert.deepEqual(parseStatusengineLine(JSON.stringify(broker)), {
    kind: 'state', event: { host: 'web01', state: 'DOWN', hard: true, tsMs: at(60), source: 'statusengine' },
  });
  const flat = { hostname: 'web01', state_time: String(OCT / 1000 + 120), state: 'UP', is_hardstate: false, service_description: null };
  assert.deepEqual(parseStatusengineLine(JSON.stringify(flat)), {
    kind: 'state', event: { host: 'web01', state: 'UP', hard: false, tsMs: at(120), source: 'statusengine' },
  });
  assert.deepEqual(parseStatusengineLine(JSON.stringify({ ...broker, statechange: { ...broker.statechange, service_description: 'PING' } })), { kind: 'ignored' });
  assert.match(JSON.stringify(parseStatusengineLine('{"statechange":{"host_name":"a","state":7,"state_type":1},"timestamp":1}')), /not a host state/);
  assert.match(JSON.stringify(parseStatusengineLine('{"statechange":{"host_name":"a","state":1},"timestamp":1}')), /state_type/);
  assert.match(JSON.stringify(parseStatusengineLine('{"host_name":"a","state":1,"state_type":1}')), /timestamp undefined is not epoch seconds/);
  assert.match(JSON.stringify(parseStatusengineLine('{nope')), /invalid JSON/);
});

test('a HARD DOWN → HARD UP pair is one interval; SOFT states change nothing', () => {
  const ev = events([
    log(100, 'HOST ALERT: web01;DOWN;SOFT;1;x'), // soft: not down yet
    log(160, 'HOST ALERT: web01;DOWN;SOFT;2;x'),
    log(220, 'HOST ALERT: web01;DOWN;HARD;3;x'), // down from 220 s
    log(300, 'HOST ALERT: web01;UP;SOFT;1;x'), // a soft UP does not close it
    log(3820, 'HOST ALERT: web01;UP;HARD;1;x'), // up at 3820 s → 3600 s down
  ]);
  const iv = buildDownIntervals(ev, { web01: 'srv-0001' });
  assert.deepEqual(iv, [{ serverId: 'srv-0001', host: 'web01', startMs: at(220), endMs: at(3820) }]);
  assert.deepEqual(downSeconds(iv, 'srv-0001', OCT, NOV), new Decimal(3600));
  assert.deepEqual(downSeconds(iv, 'srv-0002', OCT, NOV), new Decimal(0));
  // October has 31 × 86400 = 2678400 s; 100 × (1 − 3600/2678400) = 100 × 743/744
  assert.ok(availability(iv, 'srv-0001', OCT, NOV).equals(new Decimal(74300).div(744)));
  assert.ok(availability(iv, 'srv-0002', OCT, NOV).equals(100));
});

test('a DOWN with no UP after it runs to the end of the range; ranges clip both ends', () => {
  const ev = events([log(-3600, 'HOST ALERT: web01;DOWN;HARD;3;x'), log(1800, 'HOST ALERT: web01;UP;HARD;1;x'), log(86400, 'HOST ALERT: web01;DOWN;HARD;3;x')]);
  const iv = buildDownIntervals(ev, {});
  assert.deepEqual(iv, [
    { serverId: 'web01', host: 'web01', startMs: at(-3600), endMs: at(1800) },
    { serverId: 'web01', host: 'web01', startMs: at(86400), endMs: null },
  ]);
  // In October: 1800 s (from the period start) + from day 2 to the end: 2678400 − 86400 = 2592000 s.
  assert.deepEqual(downSeconds(iv, 'web01', OCT, NOV), new Decimal(1800 + 2592000));
  // A subscription part [00:10, 00:20) of Oct 1 is all down: 600 s, availability 0.
  assert.deepEqual(downSeconds(iv, 'web01', at(600), at(1200)), new Decimal(600));
  assert.ok(availability(iv, 'web01', at(600), at(1200)).equals(0));
});

test('CURRENT HOST STATE at log rotation opens and closes like an alert', () => {
  const ev = events([
    log(0, 'CURRENT HOST STATE: web01;DOWN;HARD;3;x'), // a log read alone: already down at rotation
    log(500, 'HOST ALERT: web01;UP;HARD;1;x'),
    log(1000, 'HOST ALERT: web01;DOWN;HARD;3;x'),
    log(86400, 'CURRENT HOST STATE: web01;UP;HARD;1;x'), // up again by the next rotation
    log(86400, 'CURRENT HOST STATE: db01;DOWN;SOFT;1;x'), // soft: ignored
  ]);
  assert.deepEqual(buildDownIntervals(ev, {}), [
    { serverId: 'web01', host: 'web01', startMs: at(0), endMs: at(500) },
    { serverId: 'web01', host: 'web01', startMs: at(1000), endMs: at(86400) },
  ]);
});

test('repeated DOWNs keep the first start; input order and a second reading of the log do not matter', () => {
  const lines = [
    log(100, 'HOST ALERT: web01;DOWN;HARD;3;x'),
    log(200, 'HOST NOTIFICATION: admin;web01;DOWN;notify;x'),
    log(86400, 'CURRENT HOST STATE: web01;DOWN;HARD;3;x'), // still down at rotation: no new start
    log(90000, 'HOST ALERT: web01;UP;HARD;1;x'),
  ].filter((l) => !l.includes('NOTIFICATION'));
  const once = buildDownIntervals(events(lines), {});
  assert.deepEqual(once, [{ serverId: 'web01', host: 'web01', startMs: at(100), endMs: at(90000) }]);
  assert.deepEqual(buildDownIntervals(events([...lines, ...lines]), {}), once);
  assert.deepEqual(buildDownIntervals(events([...lines].reverse()), {}), once);
});

test('UNREACHABLE is not down unless asked; two hosts of one server are merged, not double-counted', () => {
  const ev = events([
    log(0, 'HOST ALERT: a;UNREACHABLE;HARD;3;x'),
    log(100, 'HOST ALERT: a;UP;HARD;1;x'),
    log(50, 'HOST ALERT: b;DOWN;HARD;3;x'),
    log(150, 'HOST ALERT: b;UP;HARD;1;x'),
  ]);
  const hosts = { a: 'srv-1', b: 'srv-1' };
  assert.deepEqual(downSeconds(buildDownIntervals(ev, hosts), 'srv-1', OCT, NOV), new Decimal(100)); // b: 50..150
  // with UNREACHABLE as down: a 0..100 ∪ b 50..150 = 0..150 → 150 s, not 200
  assert.deepEqual(downSeconds(buildDownIntervals(ev, hosts, { unreachableIsDown: true }), 'srv-1', OCT, NOV), new Decimal(150));
});

test('a mixed --nagios file: log lines, Statusengine JSON and perfdata lines, with numbered rejects', async () => {
  const input = await readNagiosLines([
    log(0, 'HOST ALERT: web01;DOWN;HARD;3;x'),
    JSON.stringify({ timestamp: OCT / 1000 + 90, statechange: { host_name: 'web01', state: 0, state_type: 1 } }),
    '',
    '# a comment',
    `DATATYPE::HOSTPERFDATA\tTIMET::${OCT / 1000}\tHOSTNAME::web01\tHOSTPERFDATA::rta=1ms`,
    log(10, 'SERVICE ALERT: web01;PING;CRITICAL;HARD;3;x'),
    'garbage',
    log(20, 'HOST ALERT: web01;SIDEWAYS;HARD;3;x'),
  ], { web01: 'srv-0001' });
  assert.equal(input.lines, 8);
  assert.equal(input.events.length, 2);
  assert.equal(input.samples.length, 1);
  assert.deepEqual(input.samples[0]?.metrics, { 'nagios.host.rta': '0.001' });
  assert.equal(input.ignored, 3);
  assert.deepEqual(input.rejected.map((r) => r.line), [7, 8]);
  assert.deepEqual(downSeconds(buildDownIntervals(input.events, { web01: 'srv-0001' }), 'srv-0001', OCT, NOV), new Decimal(90));
});

test('the example nagios.log and Statusengine file: down time per server in October', async () => {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const read = (name: string) =>
    createInterface({ input: createReadStream(new URL(`../../examples/nagios/${name}`, import.meta.url)), crlfDelay: Infinity });
  const hosts = { 'web01.example.net': 'srv-0001' };
  const log = await readNagiosLines(read('nagios.log'), hosts);
  const se = await readNagiosLines(read('statusengine.ndjson'), hosts);
  assert.deepEqual([log.rejected, se.rejected], [[], []]);
  const iv = buildDownIntervals([...log.events, ...se.events], hosts);
  // srv-0001: Oct 10 10:00–12:00 (nagios.log, HARD only) + Oct 20 06:00–06:30 (Statusengine;
  // the HTTP service change is ignored) = 7200 + 1800 = 9000 s.
  assert.deepEqual(downSeconds(iv, 'srv-0001', OCT, NOV), new Decimal(9000));
  // db01 (unmapped): DOWN at the rotation on Oct 1 00:00 (CURRENT HOST STATE) until 02:00 = 7200 s.
  assert.deepEqual(downSeconds(iv, 'db01', OCT, NOV), new Decimal(7200));
  // 100 × (1 − 9000/2678400) = 100 × 2669400/2678400 ≈ 99.664: under 99.9, over 99.0
  const a = availability(iv, 'srv-0001', OCT, NOV);
  assert.ok(a.equals(new Decimal(266940000).div(2678400)));
  assert.ok(a.lessThan(99.9) && a.greaterThan(99));
});
