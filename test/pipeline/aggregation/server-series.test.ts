// A server's counter series (counters.ts ServerSeries): two metrics in fields, a Map beyond.
// Checked against a Map, the structure it replaces, over the same operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerSeries, type Reading, applyReading } from '../../../pipeline/aggregation/counters.js';
import { formatFixed, parseFixed } from '../../../pipeline/aggregation/fixed.js';

const reading = (tsMs: number, v: string): Reading => ({ tsMs, value: parseFixed(v) });
const plain = (entries: Iterable<[string, Reading]>): Array<[string, number, string]> =>
  [...entries].map(([m, r]) => [m, r.tsMs, formatFixed(r.value)]);

test('get, set, size and insertion order match a Map across the two fields and the overflow Map', () => {
  const s = new ServerSeries();
  const m = new Map<string, Reading>();
  assert.equal(s.size, 0);
  assert.deepEqual([...s], []);
  // a, b fill the fields; c and d go to the overflow Map; b and d are overwritten in place.
  const ops: Array<[string, number, string]> = [['a', 1, '10'], ['b', 1, '20'], ['c', 1, '30'], ['b', 2, '25'], ['d', 1, '40'], ['d', 3, '41']];
  for (const [metric, ts, v] of ops) {
    s.set(metric, reading(ts, v));
    m.set(metric, reading(ts, v));
    assert.equal(s.size, m.size, `size after ${metric}`);
    assert.deepEqual(plain(s), plain(m), `entries after ${metric}`);
  }
  assert.deepEqual(plain(s), [['a', 1, '10'], ['b', 2, '25'], ['c', 1, '30'], ['d', 3, '41']]);
  assert.equal(s.get('e'), undefined);
  assert.equal(formatFixed((s.get('c') as Reading).value), '30');
  assert.deepEqual([...s.values()].map((r) => r.tsMs), [1, 2, 1, 3]);
});

test('applyReading on a ServerSeries: baseline, increase, ignored older sample, per metric', () => {
  const s = new ServerSeries();
  const inc = (metric: string, ts: number, v: string): string | undefined => {
    const r = applyReading(s, metric, ts, parseFixed(v));
    return r === undefined ? undefined : formatFixed(r);
  };
  assert.equal(inc('x', 100, '5'), '0'); // baseline
  assert.equal(inc('y', 100, '7'), '0'); // another series of the same server
  assert.equal(inc('z', 100, '1'), '0'); // a third: the overflow Map
  assert.equal(inc('x', 200, '8'), '3'); // 8 − 5
  assert.equal(inc('z', 200, '4.5'), '3.5'); // 4.5 − 1
  assert.equal(inc('y', 50, '100'), undefined); // older than 100: ignored
  assert.deepEqual(plain(s), [['x', 200, '8'], ['y', 100, '7'], ['z', 200, '4.5']]);
});

test('apply matches a reference over Fixed values: safe and 64-bit readings, mixed scales, resets, negatives', () => {
  // Reference: the rule of SPEC §3 written directly in BigInt arithmetic over a Map.
  const ref = new Map<string, { ts: number; m: bigint; s: number }>();
  const refApply = (metric: string, ts: number, m: bigint, s: number): string | undefined => {
    const prev = ref.get(metric);
    if (prev !== undefined && ts <= prev.ts) return undefined;
    ref.set(metric, { ts, m, s });
    if (prev === undefined) return '0';
    const k = Math.max(s, prev.s);
    const a = m * 10n ** BigInt(k - s);
    const b = prev.m * 10n ** BigInt(k - prev.s);
    const inc = a >= b ? a - b : m < 0n ? 0n : a;
    return formatFixed({ m: inc, s: k });
  };
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const mantissas = [0n, 1n, 999n, 2n ** 31n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n, -5n];
  const s = new ServerSeries();
  for (let i = 0; i < 4000; i++) {
    const metric = ['x', 'y', 'z'][rnd(3)] as string;
    const ts = 1000 + rnd(400) + Math.floor(i / 4);
    const base = mantissas[rnd(mantissas.length)] as bigint;
    const m = base + BigInt(rnd(3) === 0 ? -rnd(10) : rnd(1000));
    const sc = rnd(4) === 0 ? rnd(3) : 0;
    const got = applyReading(s, metric, ts, { m, s: sc });
    const want = refApply(metric, ts, m, sc);
    assert.equal(got === undefined ? undefined : formatFixed(got), want, `step ${i}: ${metric} @${ts} = ${m}e-${sc}`);
  }
  const byMetric = (a: [string, number, string], b: [string, number, string]): number => (a[0] < b[0] ? -1 : 1);
  assert.deepEqual(plain(s).sort(byMetric), [...ref].map(([metric, r]): [string, number, string] => [metric, r.ts, formatFixed({ m: r.m, s: r.s })]).sort(byMetric));
});
