// The hand-scanned fast path of bill's line parser must give exactly what the full path
// (JSON.parse + parseSample) gives, or decline. Reference: the full path itself, on generated
// lines near the canonical shape (mutated so that many fall off it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastSample } from '../../../pipeline/samples/fast-sample.js';
import { parseLine } from '../../../rating/embedded/parse-line.js';
import { parseSample } from '../../../pipeline/samples/parse.js';
import { parseJsonExact } from '../../../lib/json-exact.js';

/** The full path: the exact JSON reader (every number as its text, as ingest reads it) + parseSample. */
function fullPath(line: string): unknown {
  let value: unknown;
  try {
    value = parseJsonExact(line);
  } catch {
    return 'not JSON';
  }
  const r = parseSample(value);
  return r.ok ? r.sample : { reason: r.reason };
}

test('fast path: the canonical line, spelled out', () => {
  const line = '{"id":"srv-00001-1790812800","server_id":"srv-00001","ts":"2026-10-01T00:00:00.000Z","interval_s":300,"metrics":{"net_tx_bytes":1041820719,"cpu_util_pct":91.1,"disk_extra_gb":50}}';
  // 2026-10-01T00:00:00Z = 1790812800 s after the epoch (the id's own suffix)
  assert.deepEqual(fastSample(line), {
    id: 'srv-00001-1790812800', serverId: 'srv-00001', tsMs: 1790812800000, intervalS: '300',
    metrics: { net_tx_bytes: '1041820719', cpu_util_pct: '91.1', disk_extra_gb: '50' }, labels: {},
  });
  assert.deepEqual(fastSample(line), fullPath(line));
});

test('fast path: numbers are the shortest round-trip text, as metricValue gives them', () => {
  const cases: Array<[string, string]> = [
    ['1.50', '1.5'], ['-0', '0'], ['0', '0'], ['-0.0', '0'], ['0.0000001', '1e-7'], ['0.000001', '0.000001'],
    ['123456789012345', '123456789012345'], ['0.00000000000001', '1e-14'], ['-12.25', '-12.25'], ['100', '100'],
    // 2^53 + 1 and 2^64 − 1: every digit kept (a double would give ...992 and ...616)
    ['9007199254740993', '9007199254740993'], ['18446744073709551615', '18446744073709551615'],
  ];
  for (const [src, want] of cases) {
    const line = `{"id":"a","server_id":"s","ts":"2026-10-01T00:00:00Z","metrics":{"x":${src}}}`;
    assert.equal(fastSample(line)?.metrics.x, want, src);
    assert.deepEqual(fastSample(line), fullPath(line), src);
  }
});

test('fast path: a plain decimal sent as a string is kept as written, as the full path keeps it', () => {
  // The full path takes a decimal string verbatim (no canonical form): "100.0" stays "100.0",
  // where the number 100.0 would become "100".
  for (const [src, want] of [['"100.0"', '100.0'], ['"-0.50"', '-0.50'], ['"007"', '007'], ['"18446744073709551617.000"', '18446744073709551617.000']]) {
    const line = `{"id":"a","server_id":"s","ts":"2026-10-01T00:00:00Z","metrics":{"n":1,"x":${src}}}`;
    assert.equal(fastSample(line)?.metrics.x, want, src);
    assert.deepEqual(fastSample(line), fullPath(line), src);
  }
});

test('fast path: declines what it cannot be sure of', () => {
  const base = '"server_id":"s","ts":"2026-10-01T00:00:00Z"';
  for (const line of [
    `{"id":"a",${base},"metrics":{"x":1},"id":"b"}`, // repeated field
    `{"id":"a",${base},"metrics":{"x":1,"x":2}}`, // repeated metric
    `{"id":"a",${base},"metrics":{"2":1,"x":2}}`, // index key: JSON.parse reorders it
    `{"id":"a",${base},"metrics":{"__proto__":1}}`,
    `{"id":"a",${base},"metrics":{"x":"1e5"}}`, // a string metric with an exponent (range-checked by the full path)
    `{"id":"a",${base},"metrics":{"x":" 1"}}`, // … with a space (trimmed by the full path)
    `{"id":"a",${base},"metrics":{"x":"+1"}}`,
    `{"id":"a",${base},"metrics":{"x":"1."}}`,
    `{"id":"a",${base},"metrics":{"x":"abc"}}`,
    `{"id":"a\\u0041",${base},"metrics":{"x":1}}`, // escape
    `{"id":"a", ${base},"metrics":{"x":1}}`, // whitespace
    `{"id":"a",${base},"metrics":{"x":1},"specversion":"1.0"}`,
    `{"id":"a",${base},"metrics":{"x":1}} `,
    `{"id":"a",${base},"interval_s":0,"metrics":{"x":1}}`,
    `{"id":"a",${base},"labels":null,"metrics":{"x":1}}`,
    `{"id":"a",${base},"metrics":{"x":1e5}}`, // an exponent
    `{"id":"a",${base},"metrics":{}}`,
    `{"id":"a",${base},"metrics":{"":1}}`,
    `{"id":"a",${base},"metrics":{"${'m'.repeat(201)}":1}}`,
  ]) {
    assert.equal(fastSample(line), undefined, line);
  }
});

const name = fc.constantFrom('x', 'cpu', 'net_tx', '', '2', '__proto__', 'constructor', 'a"b', 'é');
const num = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1e6, max: 1e9 }).map(String) },
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: -1e6, max: 1e9 }), fc.integer({ min: 0, max: 8 })).map(([m, k]) => (m / 10 ** k).toFixed(k)) },
  fc.integer({ min: -1e6, max: 1e16 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('0', '-0', '1.50', '01', '1.', '.5', '0.0000001', '12.5', '-3'),
);
/** Metric values: numbers, and the same texts (and some that are not decimals) as JSON strings. */
const metricValue = fc.oneof(
  { weight: 3, arbitrary: num },
  { weight: 2, arbitrary: num.map((n) => `"${n}"`) },
  fc.constantFrom('"+1"', '" 1"', '"1 "', '"1e5"', '"1E-2"', '"abc"', '""', '"-"', '"1.2.3"', '"0x10"', '"1\u0030"'),
);
const ts = fc.oneof(
  fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString().replace('.000', '')),
  fc.constantFrom('2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '2026-04-31T00:00:00.000Z', '2026-10-01T24:00:00Z', '2026-10-01T00:00:60Z',
    '2026-13-01T00:00:00Z', '0000-01-01T00:00:00Z', '0050-02-29T00:00:00Z', '2026-10-01t00:00:00z', '2026-1a-01T00:00:00Z', '2026-10-01T00:00:00.12Z'),
);
const field = fc.oneof(
  fc.constantFrom('id', 'server_id').chain((k) => fc.constantFrom('"a"', '""', '"srv-1"', '1', 'null').map((v) => `"${k}":${v}`)),
  ts.map((t) => `"ts":"${t}"`),
  num.map((n) => `"interval_s":${n}`),
  fc.array(fc.tuple(name, metricValue), { maxLength: 4 }).map((es) => `"metrics":{${es.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
  fc.array(fc.tuple(name, fc.constantFrom('"a"', '"7"', '""', '1')), { maxLength: 3 }).map((es) => `"labels":{${es.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
  fc.constantFrom('"labels":null', '"extra":1', '"specversion":"1.0"'),
);

test('fast path: on generated lines, exactly the full path or nothing', () => {
  const goodName = fc.constantFrom('x', 'cpu', 'net_tx', 'y');
  const metrics = fc.uniqueArray(fc.tuple(goodName, metricValue), { minLength: 1, maxLength: 4, selector: ([k]) => k })
    .map((es) => `"metrics":{${es.map(([k, v]) => `"${k}":${v}`).join(',')}}`);
  const canonical = fc.tuple(
    fc.constantFrom('"id":"a"'), fc.constantFrom('"server_id":"s"'), ts.map((t) => `"ts":"${t}"`), metrics,
    fc.oneof({ weight: 3, arbitrary: fc.constant([] as string[]) }, { weight: 2, arbitrary: fc.array(field, { maxLength: 2 }) }),
  ).map(([a, b, c, m, more]) => [a, b, c, m, more] as const);
  let taken = 0;
  fc.assert(
    fc.property(canonical, ([a, b, c, m, more]) => {
      const line = `{${[a, b, c, m, ...more].join(',')}}`;
      const fast = fastSample(line);
      if (fast !== undefined) {
        taken++;
        assert.deepEqual(fast, fullPath(line), line);
      }
      // parseLine (which tries the fast path first) agrees with the full path on every line
      const full = fullPath(line);
      if (full !== 'not JSON') assert.deepEqual(parseLine(line), full, line);
    }),
    { numRuns: 5000 },
  );
  // the generator reaches both sides: lines the fast path takes and lines it declines
  assert.ok(taken > 500 && taken < 4500, `fast path took ${taken} of 5000`);
});
