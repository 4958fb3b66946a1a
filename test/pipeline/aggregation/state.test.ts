// The RollupState algebra: single-sample states, merge laws, and merge of parts = one pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyState, mergeAll, mergeStates, sampleState, addSample } from '../../../pipeline/aggregation/state.js';
import { Decimal } from '../../../lib/decimal.js';
import type { RollupState } from '../../../pipeline/aggregation/rollup.js';
import { meter } from './helpers.js';

test('sampleState per aggregation', () => {
  const c = { value: '4', intervalS: '30', tsMs: 1000, labels: { dc: 'x' } };
  assert.deepEqual(sampleState(meter('a', 'm', 'delta', 'sum', { factor: '0.5' }), c), { count: 1, sum: '2' });
  // time_average: 4 × 30 s = 120 value-seconds
  assert.deepEqual(sampleState(meter('b', 'm', 'gauge', 'time_average'), c), { count: 1, sum: '120' });
  // integral per 3600 s: 120 ÷ 3600 = 0.0333… (60 significant digits)
  assert.equal(sampleState(meter('c', 'm', 'gauge', 'integral'), c).sum, `0.0${'3'.repeat(60)}`);
  assert.deepEqual(sampleState(meter('d', 'm', 'gauge', 'latest'), c), { count: 1, sum: '0', latest: '4', latestTsMs: 1000 });
  assert.deepEqual(sampleState(meter('e', 'm', 'gauge', 'unique', { label: 'dc' }), c), { count: 1, sum: '0', distinct: ['x'] });
});

test('mergeStates: sums add, extremes combine, latest by ts then value, distinct unite', () => {
  const a: RollupState = { count: 2, sum: '1.5', max: '9', min: '-1', latest: '3', latestTsMs: 10, distinct: ['b'] };
  const b: RollupState = { count: 1, sum: '0.25', max: '10', min: '0', latest: '4', latestTsMs: 5, distinct: ['a', 'b'] };
  const want: RollupState = { count: 3, sum: '1.75', max: '10', min: '-1', latest: '3', latestTsMs: 10, distinct: ['a', 'b'] };
  assert.deepEqual(mergeStates(a, b), want);
  assert.deepEqual(mergeStates(b, a), want);
  // equal ts: the greater value wins whichever comes first
  const c: RollupState = { count: 1, sum: '0', latest: '7', latestTsMs: 10 };
  assert.equal(mergeStates(a, c).latest, '7');
  assert.equal(mergeStates(c, a).latest, '7');
  assert.deepEqual(mergeStates(emptyState(), a), a);
});

/** m × 10^-s as a decimal string (possibly with trailing zeros, as parts may carry). */
const decStr = (m: bigint, s: number): string => {
  let d = (m < 0n ? -m : m).toString().padStart(s + 1, '0');
  if (s > 0) d = `${d.slice(0, -s)}.${d.slice(-s)}`;
  return m < 0n ? `-${d}` : d;
};

const stateArb = fc
  .record({
    count: fc.nat(1000),
    m: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
    s: fc.nat(12),
    max: fc.option(fc.integer({ min: -1000, max: 1000 }).map(String), { nil: undefined }),
    latest: fc.option(fc.integer({ min: -5, max: 5 }).map(String), { nil: undefined }),
    latestTsMs: fc.integer({ min: 0, max: 3 }),
    distinct: fc.option(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd')).map((xs) => xs.sort()), { nil: undefined }),
  })
  .map((r) => {
    const out: RollupState = { count: r.count, sum: decStr(r.m, r.s) };
    if (r.max !== undefined) out.max = r.max;
    if (r.latest !== undefined) {
      out.latest = r.latest;
      out.latestTsMs = r.latestTsMs;
    }
    if (r.distinct !== undefined) out.distinct = r.distinct;
    return out;
  });

test('mergeStates is commutative and associative (property)', () => {
  fc.assert(
    fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
      assert.deepEqual(mergeStates(a, b), mergeStates(b, a));
      assert.deepEqual(mergeStates(mergeStates(a, b), c), mergeStates(a, mergeStates(b, c)));
      assert.deepEqual(mergeAll([a, b, c]), mergeStates(mergeStates(a, b), c));
    }),
  );
});

test('merged sums equal the exact decimal sum (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat(9)), { maxLength: 20 }), (xs) => {
      // Independent check: bring every value to 9 fraction digits and add the bigints.
      const total = xs.reduce((acc, [m, s]) => acc + m * 10n ** BigInt(9 - s), 0n);
      const merged = mergeAll(xs.map(([m, s]) => ({ count: 1, sum: decStr(m, s) })));
      assert.equal(new Decimal(merged.sum).toFixed(9), decStr(total, 9));
      assert.equal(merged.count, xs.length);
    }),
  );
});

test('addSample folds single samples like mergeAll of their states', () => {
  const m = meter('x', 'm', 'delta', 'sum', { factor: '0.1' });
  let s = emptyState();
  for (const v of ['1', '2', '3.5']) s = addSample(m, s, { value: v, tsMs: 0 });
  // (1 + 2 + 3.5) × 0.1 = 0.65
  assert.deepEqual(s, { count: 3, sum: '0.65' });
});
