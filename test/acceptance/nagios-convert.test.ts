// SPEC §7 Nagios perfdata → samples, through `meterline nagios convert --perfdata FILE`.
// Expected metric values worked out by hand from §7's scaling rules.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { assertDec, billOk, catalog, invoice, line, meterline, tempDir, type Run } from './harness.js';

const T0 = Date.parse('2026-10-01T00:00:00Z') / 1000; // TIMET, epoch seconds
const svc = (timet: number, host: string, desc: string, perf: string) =>
  `DATATYPE::SERVICEPERFDATA\tTIMET::${timet}\tHOSTNAME::${host}\tSERVICEDESC::${desc}\tSERVICEPERFDATA::${perf}\tSERVICECHECKCOMMAND::check_x`;
const hst = (timet: number, host: string, perf: string) =>
  `DATATYPE::HOSTPERFDATA\tTIMET::${timet}\tHOSTNAME::${host}\tHOSTPERFDATA::${perf}\tHOSTCHECKCOMMAND::check-host-alive`;

const PING = "rta=250ms;100;500;0 pl=0%;20;60;0 'it''s x'=5 up=U";
const LINES = [
  svc(T0, 'web01', 'PING', PING), //                                          1
  svc(T0 + 60, 'web01', 'Latency', 'lat=1500us;;;; t=1.5s n=42'), //          2
  svc(T0 + 120, 'web01', 'Disk C', "'C:\\ used %'=24%;80;90;0;100 a=1KB b=1,5MB c=2GB d=1TB raw=10B"), // 3
  svc(T0 + 180, 'web01', 'Traffic', 'in=1234567890c;;;0 x=2,5'), //            4
  hst(T0 + 240, 'web01', 'rta=1ms;3000;5000;0 pl=0%'), //                      5
  svc(T0 + 300, 'web01', 'Disk', 'free space=5GB;;;0'), //                     6
  svc(T0, 'web01', 'PING', PING), //                                          7 = line 1 again
  svc(T0 + 3600, 'web01', 'PING', PING), //                                   8 = line 1, other TIMET
  svc(T0, 'web02', 'PING', PING), //                                          9 = line 1, other host
];

type Sample = { id: string; server_id: string; ts: string | number; metrics: Record<string, unknown> };
const tsMs = (s: Sample): number => (typeof s.ts === 'number' ? s.ts : Date.parse(s.ts));

function convert(lines: string[]): Run & { samples: Sample[] } {
  const dir = tempDir();
  const f = join(dir, 'perfdata.txt');
  writeFileSync(f, lines.join('\n') + '\n');
  const r = meterline(['nagios', 'convert', '--perfdata', f]);
  const samples = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Sample);
  return { ...r, samples };
}

let run: Run & { samples: Sample[] };
before(() => {
  run = convert(LINES);
});

/** The samples of one host at one TIMET carrying the metric; its value as a decimal string. */
function value(host: string, timet: number, metric: string): string | undefined {
  const found = run.samples.filter((s) => s.server_id === host && tsMs(s) === timet * 1000 && metric in s.metrics);
  if (found.length === 0) return undefined;
  return String(found[0]?.metrics[metric]);
}
function assertMetric(host: string, timet: number, metric: string, expected: string): void {
  const v = value(host, timet, metric);
  assert.ok(v !== undefined, `no metric ${JSON.stringify(metric)} for ${host} at ${timet}; got ${run.stdout}`);
  assert.ok(new Decimal(v).equals(new Decimal(expected)), `${metric}: expected ${expected}, got ${v}`);
}

test('convert exits 0 on valid lines and prints §2 samples (server = HOSTNAME, ts = TIMET)', () => {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.samples.length > 0);
  for (const s of run.samples) {
    assert.equal(typeof s.id, 'string');
    assert.ok(['web01', 'web02'].includes(s.server_id));
    assert.ok(Number.isFinite(tsMs(s)));
  }
  assert.ok(run.samples.some((s) => s.server_id === 'web01' && tsMs(s) === T0 * 1000));
});

test('ms → seconds (250ms = 0.25), % unchanged, metric nagios.<servicedesc>.<label>', () => {
  assertMetric('web01', T0, 'nagios.PING.rta', '0.25');
  assertMetric('web01', T0, 'nagios.PING.pl', '0');
});

test("quoted label with '' for a quote: 'it''s x' → label it's x", () => {
  assertMetric('web01', T0, "nagios.PING.it's x", '5');
});

test('U (unknown) yields no metric', () => {
  assert.equal(value('web01', T0, 'nagios.PING.up'), undefined);
});

test('us → seconds (1500us = 0.0015), s unchanged, no unit unchanged', () => {
  assertMetric('web01', T0 + 60, 'nagios.Latency.lat', '0.0015');
  assertMetric('web01', T0 + 60, 'nagios.Latency.t', '1.5');
  assertMetric('web01', T0 + 60, 'nagios.Latency.n', '42');
});

test('KB/MB/GB/TB → bytes, binary multiples; B unchanged; comma decimal in 1,5MB', () => {
  assertMetric('web01', T0 + 120, 'nagios.Disk C.a', '1024');
  assertMetric('web01', T0 + 120, 'nagios.Disk C.b', '1572864'); // 1.5 × 1 048 576
  assertMetric('web01', T0 + 120, 'nagios.Disk C.c', '2147483648'); // 2 × 1 073 741 824
  assertMetric('web01', T0 + 120, 'nagios.Disk C.d', '1099511627776'); // 1024⁴
  assertMetric('web01', T0 + 120, 'nagios.Disk C.raw', '10');
});

test('quoted label with spaces and a backslash, % value: nagios.Disk C.C:\\ used %', () => {
  assertMetric('web01', T0 + 120, 'nagios.Disk C.C:\\ used %', '24');
});

test('c (counter) value unchanged; comma decimal 2,5 = 2.5', () => {
  assertMetric('web01', T0 + 180, 'nagios.Traffic.in', '1234567890');
  assertMetric('web01', T0 + 180, 'nagios.Traffic.x', '2.5');
});

test('HOSTPERFDATA → nagios.host.<label> (1ms = 0.001)', () => {
  assertMetric('web01', T0 + 240, 'nagios.host.rta', '0.001');
  assertMetric('web01', T0 + 240, 'nagios.host.pl', '0');
});

test('an unquoted label with a space, unambiguous on its line: free space=5GB → 5 × 1024³', () => {
  assertMetric('web01', T0 + 300, 'nagios.Disk.free space', '5368709120');
});

test('sample ids are stable: the same line gives the same id; another TIMET or host another id', () => {
  const idsAt = (host: string, timet: number) =>
    new Set(run.samples.filter((s) => s.server_id === host && tsMs(s) === timet * 1000 && 'nagios.PING.rta' in s.metrics).map((s) => s.id));
  const first = idsAt('web01', T0);
  assert.equal(first.size, 1, 'line 1 and its repeat (line 7) carry one id');
  const again = convert([LINES[0] as string]);
  assert.deepEqual(new Set(again.samples.map((s) => s.id)), first, 'converting the line again gives the same id');
  const [id] = first;
  for (const other of [idsAt('web01', T0 + 3600), idsAt('web02', T0)]) {
    assert.equal(other.size, 1);
    assert.ok(!other.has(id as string), 'different TIMET / host → different id');
  }
});

test('a host check and a service check of one host at the same TIMET get different ids', () => {
  // Both must count: a shared id would make one a "duplicate" and lose its usage.
  const r = convert([svc(T0, 'h1', 'PING', 'RTA=1ms'), hst(T0, 'h1', 'rta=2ms')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.samples.length, 2);
  assert.notEqual(r.samples[0]?.id, r.samples[1]?.id);
  // the label is kept exactly as written (case included)
  assert.ok(r.samples.some((s) => 'nagios.PING.RTA' in s.metrics));
});

test('a 64-bit counter value is converted exactly (18446744073709551615c)', () => {
  const r = convert([svc(T0, 'h1', 'IF', 'in=18446744073709551615c')]);
  assert.equal(String(r.samples[0]?.metrics['nagios.IF.in']), '18446744073709551615');
});

test("plugin-format details: a quoted label holding '=', range thresholds (@10:20, ~:30, 5:)", () => {
  const r = convert([svc(T0, 'h1', 'X', "'a=b'=5 rta=1ms;@10:20;~:30;0; z=3;5:;10")]);
  assert.equal(r.code, 0, r.stderr);
  const m = r.samples[0]?.metrics ?? {};
  assert.equal(String(m['nagios.X.a=b']), '5');
  assert.equal(String(m['nagios.X.rta']), '0.001');
  assert.equal(String(m['nagios.X.z']), '3');
});

test('--catalog hosts: maps a Nagios host name to a server id (decisions.md; default = equal names)', () => {
  const dir = tempDir();
  const cat = join(dir, 'hosts.yaml');
  writeFileSync(cat, 'hosts:\n  web01.example.net: srv-0001\n');
  const f = join(dir, 'p.txt');
  writeFileSync(f, [svc(T0, 'web01.example.net', 'PING', 'rta=1ms'), svc(T0, 'other', 'PING', 'rta=1ms')].join('\n') + '\n');
  const r = meterline(['nagios', 'convert', '--perfdata', f, '--catalog', cat]);
  assert.equal(r.code, 0, r.stderr);
  const servers = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Sample).server_id).sort();
  assert.deepEqual(servers, ['other', 'srv-0001']);
});

test('a bad perfdata line is reported (file:line), the others still converted, exit non-zero', () => {
  const r = convert([svc(T0, 'web01', 'PING', 'rta=fast;100;500'), svc(T0 + 60, 'web01', 'PING', 'rta=2ms')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /:1\b/);
  assert.ok(r.samples.some((s) => String(s.metrics['nagios.PING.rta']) === '0.002'));
});

test('bill --nagios: perfdata lines become samples that meters can bill (decisions.md)', () => {
  // gauge max over nagios.PING.rta: 250ms and 400ms → 0.4 s × unit_price 10 = 4.00
  const cat = catalog({
    meters: { ping: { metric: 'nagios.PING.rta', kind: 'gauge', aggregation: 'max', unit: 's' } },
    plans: { p: { base_fee: { amount: '1.00', per: 'month' }, charges: [{ meter: 'ping', model: 'per_unit', unit_price: '10' }] } },
    customers: { c: {} },
    subscriptions: [{ server_id: 'web01', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
  });
  const out = billOk({
    catalog: cat, events: [[]], period: '2026-10',
    nagios: [svc(T0 + 10, 'web01', 'PING', 'rta=250ms'), svc(T0 + 20, 'web01', 'PING', 'rta=400ms')],
  });
  const l = line(invoice(out, 'c'), 'usage', { server_id: 'web01', meter: 'ping' });
  assertDec(l.quantity, '0.4');
  assert.equal(l.amount, '4.00');
});
