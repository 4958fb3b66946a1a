import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePerfdata, type PerfValue } from '../../nagios/perfdata.js';

const GiB = 1073741824; // 1024³
const MiB = 1048576; // 1024²

function values(text: string): PerfValue[] {
  const r = parsePerfdata(text);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.values;
}
const reason = (text: string): string => {
  const r = parsePerfdata(text);
  return r.ok ? 'ok' : r.reason;
};
/** label → value, the part that becomes metrics. */
const byLabel = (text: string): Record<string, string | null> =>
  Object.fromEntries(values(text).map((v) => [v.label, v.value]));

test('Windows drive label (NSClient++): quoted, with colon, backslash and double space; GB in binary multiples', () => {
  const [v] = values("'C:\\ Label: OS  Serial Number 1234'=12GB;40;45;0;50");
  // 12 GB = 12 × 1024³ = 12884901888; warn 0..40 GB = 42949672960; crit 0..45 GB = 48318382080;
  // max 50 GB = 53687091200.
  assert.deepEqual(v, {
    label: 'C:\\ Label: OS  Serial Number 1234', value: String(12 * GiB), uom: 'GB', counter: false,
    warn: { inside: false, start: '0', end: '42949672960' },
    crit: { inside: false, start: '0', end: '48318382080' },
    min: '0', max: '53687091200',
  });
});

test("quoted labels: spaces, '' for a quote, '=' inside", () => {
  assert.deepEqual(byLabel("'it''s here'=5 'a=b c'=6 ''''=7"), { "it's here": '5', 'a=b c': '6', "'": '7' });
});

test('check_nt writes Gb for gigabytes; byte units are case-insensitive and IEC spellings accepted', () => {
  // 16.40 × 1073741824 = 17179869184 + 0.4 × 1073741824 (429496729.6) = 17609365913.6
  assert.deepEqual(byLabel("'c:\\ Used Space'=16.40Gb;23.43;26.36;0.00;29.29"), { 'c:\\ Used Space': '17609365913.6' });
  // 2 kB = 2048; 3 Mb = 3145728; 1 KiB = 1024; 1 tb = 1024⁴ = 1099511627776
  assert.deepEqual(byLabel('a=2kB b=3Mb c=1KiB d=1tb'), { a: '2048', b: '3145728', c: '1024', d: '1099511627776' });
});

test('every unit of the plugin guidelines (plus GB) scaled to base units', () => {
  const v = values('n=7 s=1.5s ms=250ms us=1500us p=99.5% b=512B kb=1.5KB mb=2MB gb=1GB tb=1TB c=12345c');
  const got = Object.fromEntries(v.map((x) => [x.label, [x.value, x.uom, x.counter]]));
  assert.deepEqual(got, {
    n: ['7', '', false],
    s: ['1.5', 's', false],
    ms: ['0.25', 'ms', false], // 250 ÷ 1000
    us: ['0.0015', 'us', false], // 1500 ÷ 1 000 000
    p: ['99.5', '%', false],
    b: ['512', 'B', false],
    kb: ['1536', 'KB', false], // 1.5 × 1024
    mb: ['2097152', 'MB', false], // 2 × 1048576
    gb: [String(GiB), 'GB', false],
    tb: ['1099511627776', 'TB', false], // 1024⁴
    c: ['12345', 'c', true],
  });
});

test('comma decimals in values and thresholds', () => {
  const [v] = values('rta=1,5ms;3000,000;5000,000;0;');
  // 1,5 ms = 0.0015 s; warn 0..3000 ms = 0..3 s; crit 0..5 s; min 0
  assert.deepEqual(v, {
    label: 'rta', value: '0.0015', uom: 'ms', counter: false,
    warn: { inside: false, start: '0', end: '3' }, crit: { inside: false, start: '0', end: '5' }, min: '0',
  });
});

test('U yields no value; its thresholds still parse', () => {
  assert.deepEqual(byLabel('load15=U;3.000;4.000;0; load1=0.150'), { load15: null, load1: '0.15' });
});

test('threshold ranges: @inside, ~ for −∞, open end, UOM repeated on a bound', () => {
  const [a, b, c] = values('a=1;@2:4;~:10 b=1;10:;20 c=5%;80%;@~:90%');
  assert.deepEqual([a?.warn, a?.crit], [{ inside: true, start: '2', end: '4' }, { inside: false, start: null, end: '10' }]);
  assert.deepEqual([b?.warn, b?.crit], [{ inside: false, start: '10', end: null }, { inside: false, start: '0', end: '20' }]);
  assert.deepEqual([c?.warn, c?.crit], [{ inside: false, start: '0', end: '80' }, { inside: true, start: null, end: '90' }]);
  // ranges in ms scale like the value: 100 ms = 0.1 s, 500 ms = 0.5 s
  const [r] = values('rta=0.046000ms;100.000000;500.000000;0.000000');
  assert.deepEqual([r?.value, r?.warn?.end, r?.crit?.end, r?.min], ['0.000046', '0.1', '0.5', '0']);
});

test('missing trailing fields, negative values and exponents', () => {
  const [x, y, z, w] = values('x=3 y=-0.25s;;; z=-1.5e3 w=2.5E-3s');
  assert.deepEqual(x, { label: 'x', value: '3', uom: '', counter: false });
  assert.deepEqual([y?.value, y?.warn, y?.crit, y?.min], ['-0.25', undefined, undefined, undefined]);
  assert.equal(z?.value, '-1500'); // −1.5 × 10³
  assert.equal(w?.value, '0.0025'); // 2.5 × 10⁻³ s
});

test('unquoted labels may hold spaces: a label runs from the previous value to the next =', () => {
  assert.deepEqual(byLabel('disk usage=50%;80;90 load=1'), { 'disk usage': '50', load: '1' });
  assert.deepEqual(byLabel('  free mem space =1KB  '), { 'free mem space': '1024' });
});

test('real-world plugin lines', () => {
  // check_disk: 2643 MB = 2643 × 1048576 = 2771386368; 68 MB = 71303168
  assert.deepEqual(byLabel('/=2643MB;5948;6692;0;7436 /boot=68MB;88;99;0;110'), { '/': String(2643 * MiB), '/boot': '71303168' });
  // check_http
  assert.deepEqual(byLabel('time=0.002108s;;;0.000000;10.000000 size=1234B;;;0'), { time: '0.002108', size: '1234' });
  // check_load (trailing zeros are not significant)
  assert.deepEqual(byLabel('load1=0.150;5.000;10.000;0; load5=0.080;4.000;6.000;0;'), { load1: '0.15', load5: '0.08' });
  // check_multi style labels are taken as written
  assert.deepEqual(byLabel('system_swap::check_swap::swap=1786MB;0;0;0;2048'), { 'system_swap::check_swap::swap': String(1786 * MiB) });
  assert.deepEqual(values(''), []);
});

test('bad perfdata is rejected with a reason naming the label or text', () => {
  assert.match(reason('temp=45C;70;90'), /'temp': unknown unit of measure "C"/);
  assert.match(reason('bits=5b'), /unknown unit/);
  assert.match(reason("'abc=1"), /unterminated quoted label/);
  assert.match(reason("'abc' =1"), /expected '=' after the quoted label 'abc'/);
  assert.match(reason('a= 5'), /'a': empty value/);
  assert.match(reason('a=1;2;3;4;5;6'), /more than 5/);
  assert.match(reason('a=1 a=2'), /label 'a' appears twice/);
  assert.match(reason('=5'), /empty label/);
  assert.match(reason('a=1 junk'), /without a '=' value: "junk"/);
  assert.match(reason('a=1;x'), /'a': warn malformed range "x"/);
  assert.match(reason('a=1;;;zero'), /'a': min "zero" is not a number/);
  assert.match(reason('a=abc'), /'a': value "abc" is not a number/);
  assert.match(reason('a=5%;80MB'), /'a': warn malformed range/); // a bound in another unit
  assert.match(reason('a=NaN'), /not a number/);
  assert.match(reason('a=1,234.5'), /'a': value "1,234.5" is not a number/); // thousands separator or decimal? refused
  assert.match(reason('a=5;1;2;3;4;x'), /more than 5/);
  assert.deepEqual(byLabel('a=5;10;20;0;100;'), { a: '5' }); // a stray ';' after max is harmless
});

test('an exponent beyond ±10000 is refused with its reason (a damaged line once wrote out 10^13 digits and ran out of memory)', () => {
  // Worked by hand: 1e10000 is 1 followed by 10 000 zeros, the largest value the exact core takes.
  const ok = parsePerfdata('x=1e10000');
  assert.ok(ok.ok);
  assert.equal(ok.values[0]?.value, `1${'0'.repeat(10_000)}`);
  const bad = parsePerfdata("'rx bytes'=900e9999254740993c;;;0;");
  assert.ok(!bad.ok);
  assert.match(bad.reason, /'rx bytes'.*exponent beyond ±10000/);
  // The same in a threshold or a bound: not a number, named.
  const bound = parsePerfdata('x=1;;;0;5e10001');
  assert.ok(!bound.ok);
  assert.match(bound.reason, /max "5e10001" is not a number/);
});
