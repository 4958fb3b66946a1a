import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parsePerfdataFileLine } from '../../nagios/perfdata-file.js';
import { perfdataLineToSample } from '../../nagios/to-sample.js';

const T = '\t';
const PNP_SERVICE = [
  'DATATYPE::SERVICEPERFDATA', 'TIMET::1790812800', 'HOSTNAME::web01', 'SERVICEDESC::Disk Usage',
  "SERVICEPERFDATA::/=2643MB;5948;6692;0;7436 'C:\\ used %'=24%;80;90", 'SERVICECHECKCOMMAND::check_disk!20%!10%',
  'HOSTSTATE::UP', 'HOSTSTATETYPE::HARD', 'SERVICESTATE::OK', 'SERVICESTATETYPE::HARD',
].join(T);
const PNP_HOST = [
  'DATATYPE::HOSTPERFDATA', 'TIMET::1790812860', 'HOSTNAME::web01', 'HOSTPERFDATA::rta=0.5ms;3000;5000;0 pl=0%;80;100;0',
  'HOSTCHECKCOMMAND::check-host-alive', 'HOSTSTATE::UP', 'HOSTSTATETYPE::HARD',
].join(T);

const reason = (line: string): string => {
  const r = parsePerfdataFileLine(line);
  return r.ok ? 'ok' : r.reason;
};
/** Reference model of the documented id: nagios: + sha256(host NUL service NUL timet). */
const expectedId = (host: string, service: string, timet: number): string =>
  `nagios:${createHash('sha256').update(`${host}\u0000${service}\u0000${timet}`).digest('hex')}`;

test('PNP4Nagios/nagflux service line: keys read, extra keys ignored', () => {
  assert.deepEqual(parsePerfdataFileLine(PNP_SERVICE), {
    ok: true,
    record: { type: 'service', timet: 1790812800, host: 'web01', service: 'Disk Usage', perfdata: "/=2643MB;5948;6692;0;7436 'C:\\ used %'=24%;80;90" },
  });
});

test('PNP4Nagios host twin', () => {
  assert.deepEqual(parsePerfdataFileLine(PNP_HOST), {
    ok: true, record: { type: 'host', timet: 1790812860, host: 'web01', perfdata: 'rta=0.5ms;3000;5000;0 pl=0%;80;100;0' },
  });
});

test('a field separated by a space instead of a tab; CRLF line ends', () => {
  const line = `DATATYPE::SERVICEPERFDATA${T}TIMET::1790812800${T}HOSTNAME::web01 SERVICEDESC::Disk Usage${T}SERVICEPERFDATA::a=1 b=2 SERVICECHECKCOMMAND::check_x${T}HOSTSTATE::UP\r`;
  assert.deepEqual(parsePerfdataFileLine(line), {
    ok: true, record: { type: 'service', timet: 1790812800, host: 'web01', service: 'Disk Usage', perfdata: 'a=1 b=2' },
  });
});

test("Nagios core's default templates, service and host; output containing a tab", () => {
  const svc = ['[SERVICEPERFDATA]', '1790812800', 'web01', 'PING', '0.012', '0.104', 'PING OK - rta 0.05ms', 'rta=0.05ms;100;500;0 pl=0%;20;60;0'].join(T);
  assert.deepEqual(parsePerfdataFileLine(svc), {
    ok: true, record: { type: 'service', timet: 1790812800, host: 'web01', service: 'PING', perfdata: 'rta=0.05ms;100;500;0 pl=0%;20;60;0' },
  });
  const host = ['[HOSTPERFDATA]', '1790812800', 'web01', '0.2', `PING OK${T}(with a tab)`, 'rta=0.5ms'].join(T);
  assert.deepEqual(parsePerfdataFileLine(host), {
    ok: true, record: { type: 'host', timet: 1790812800, host: 'web01', perfdata: 'rta=0.5ms' },
  });
});

test('malformed perfdata-file lines say what is wrong', () => {
  assert.match(reason(PNP_SERVICE.replace(`${T}SERVICEDESC::Disk Usage`, '')), /missing SERVICEDESC/);
  assert.match(reason(PNP_SERVICE.replace('TIMET::1790812800', 'TIMET::soon')), /TIMET "soon" is not epoch seconds/);
  assert.match(reason(PNP_SERVICE.replace('DATATYPE::SERVICEPERFDATA', 'DATATYPE::SERVICEDATA')), /DATATYPE "SERVICEDATA"/);
  assert.match(reason(PNP_SERVICE.replace('HOSTNAME::web01', 'HOSTNAME::')), /HOSTNAME is empty/);
  assert.match(reason(`${PNP_SERVICE}${T}TIMET::1`), /TIMET appears twice/);
  assert.match(reason(['[SERVICEPERFDATA]', '1790812800', 'web01', 'PING', 'a=1'].join(T)), /needs 8 tab-separated fields, found 5/);
  assert.match(reason('hello'), /not a perfdata-file line/);
});

test('a line becomes one sample: metrics nagios.<service>.<label> in base units, mapped server, ts = TIMET', () => {
  const r = perfdataLineToSample(PNP_SERVICE, { web01: 'srv-0001' });
  assert.ok(r.ok && r.sample);
  assert.deepEqual(r.sample, {
    id: expectedId('web01', 'Disk Usage', 1790812800),
    serverId: 'srv-0001',
    tsMs: 1790812800 * 1000,
    // 2643 MB = 2643 × 1048576 = 2771386368
    metrics: { 'nagios.Disk Usage./': '2771386368', 'nagios.Disk Usage.C:\\ used %': '24' },
    labels: {},
  });
});

test('host perfdata: nagios.host.<label>; an unmapped host keeps its name', () => {
  const r = perfdataLineToSample(PNP_HOST, { other: 'srv-9' });
  assert.ok(r.ok && r.sample);
  assert.equal(r.sample.serverId, 'web01');
  assert.equal(r.sample.id, expectedId('web01', '', 1790812860));
  // 0.5 ms = 0.0005 s
  assert.deepEqual(r.sample.metrics, { 'nagios.host.rta': '0.0005', 'nagios.host.pl': '0' });
});

test('the id depends on host, service and TIMET only: re-reading a line gives the same id', () => {
  const a = perfdataLineToSample(PNP_SERVICE, {});
  const b = perfdataLineToSample(PNP_SERVICE.replace('/=2643MB', '/=2644MB'), { web01: 'srv-x' });
  const c = perfdataLineToSample(PNP_SERVICE.replace('TIMET::1790812800', 'TIMET::1790812801'), {});
  assert.ok(a.ok && a.sample && b.ok && b.sample && c.ok && c.sample);
  assert.equal(a.sample.id, b.sample.id);
  assert.notEqual(a.sample.id, c.sample.id);
});

test('no known value → no sample; a bad datum rejects the whole line', () => {
  assert.deepEqual(perfdataLineToSample(PNP_SERVICE.replace(/SERVICEPERFDATA::[^\t]*/, 'SERVICEPERFDATA::'), {}), { ok: true, sample: null });
  assert.deepEqual(perfdataLineToSample(PNP_SERVICE.replace(/SERVICEPERFDATA::[^\t]*/, 'SERVICEPERFDATA::a=U b=U;1;2'), {}), { ok: true, sample: null });
  const bad = perfdataLineToSample(PNP_SERVICE.replace(/SERVICEPERFDATA::[^\t]*/, 'SERVICEPERFDATA::a=1 t=45C'), {});
  assert.ok(!bad.ok);
  assert.match(bad.reason, /'t': unknown unit of measure "C"/);
});
