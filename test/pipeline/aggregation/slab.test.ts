// The compact accumulator layout (slab.ts): values that do not fit a safe double, recycled
// rows, every mode's edge cases. Expectations are worked by hand (or with BigInt arithmetic
// over the same samples, independent of the code under test) in comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { ChangelogModel } from './changelog-model.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;
const sum = meter('sum', 'v', 'delta', 'sum');
const max = meter('max', 'v', 'gauge', 'max');
const min = meter('min', 'v', 'gauge', 'min');
const latest = meter('latest', 'v', 'gauge', 'latest');
const ctr = meter('ctr', 'c', 'counter', 'sum');
const uniq = meter('uniq', 'v', 'gauge', 'unique', { label: 'user' });
const ipH = meter('ip', 'v', 'gauge', 'integral', { perSeconds: '3600', intervalS: '60' });
const all = [sum, max, min, latest, ctr, uniq, ipH];
const config = { meters: all, windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 };

const state = (parts: readonly RollupPart[], server: string, meterName: string): RollupPart['state'] | undefined =>
  parts.find((p) => p.serverId === server && p.meter === meterName)?.state;

test('a sum leaving the safe-integer range stays exact (BigInt reference)', () => {
  const agg = new Aggregator(config);
  const values = ['9007199254740991', '9007199254740991', '0.5', '-3', '12345678901234567890.25'];
  values.forEach((v, i) => agg.add(sample('a', T0 + i * S, { v }), { partition: 0, offset: String(i) }, 0));
  // Reference in BigInt hundredths: 900719925474099100 × 2 + 50 − 300 + 1234567890123456789025
  const ref = 900719925474099100n * 2n + 50n - 300n + 1234567890123456789025n;
  assert.equal(ref, 1236369329974404986975n);
  const parts = agg.flushAll();
  assert.equal(state(parts, 'a', 'sum')?.sum, '12363693299744049869.75');
  assert.equal(state(parts, 'a', 'sum')?.count, 5);
  // integral: Σ v × 60 s ÷ 3600 = 12363693299744049869.75 ÷ 60 = 206061554995734164.4958333…,
  // rounded half-up to 60 significant digits (18 before the point, 42 after)
  assert.equal(state(parts, 'a', 'ip')?.sum, '206061554995734164.495833333333333333333333333333333333333333');
});

test('a 20-digit value in max, min and latest; negative values', () => {
  const agg = new Aggregator(config);
  const feed = (sec: number, v: string, off: number): void => void agg.add(sample('a', T0 + sec * S, { v }), { partition: 0, offset: String(off) }, 0);
  feed(1, '-5', 0);
  feed(2, '12345678901234567890', 1);
  feed(3, '-10.25', 2);
  feed(4, '-3', 3);
  const parts = agg.flushAll();
  assert.equal(state(parts, 'a', 'max')?.max, '12345678901234567890');
  assert.equal(state(parts, 'a', 'min')?.min, '-10.25');
  assert.equal(state(parts, 'a', 'latest')?.latest, '-3'); // newest ts (4 s)
  // −5 + 12345678901234567890 − 10.25 − 3 = 12345678901234567871.75
  assert.equal(state(parts, 'a', 'sum')?.sum, '12345678901234567871.75');
});

test('latest: a tie on ts goes to the greater value, whatever the arrival order', () => {
  for (const order of [['5', '7', '6'], ['7', '6', '5'], ['6', '5', '7']]) {
    const agg = new Aggregator(config);
    order.forEach((v, i) => agg.add(sample('a', T0 + 9 * S, { v }), { partition: 0, offset: String(i) }, 0));
    const st = state(agg.flushAll(), 'a', 'latest');
    assert.deepEqual([st?.latest, st?.latestTsMs], ['7', T0 + 9 * S]);
  }
});

test('counters: baseline, increase, reset, ignored not-newer reading; unique by label', () => {
  const agg = new Aggregator(config);
  const feed = (sec: number, c: string, off: number): void => void agg.add(sample('a', T0 + sec * S, { c }), { partition: 0, offset: String(off) }, 0);
  feed(1, '100', 0); // baseline: +0
  feed(2, '150', 1); // +50
  feed(2, '999', 2); // not newer than 2 s: ignored, no count
  feed(3, '120', 3); // reset: +120
  feed(4, '9007199254741000', 4); // + 9007199254741000 − 120 = 9007199254740880
  const st = state(agg.flushAll(), 'a', 'ctr');
  // 0 + 50 + 120 + 9007199254740880 = 9007199254741050 (over 2^53: exact only as BigInt)
  assert.deepEqual([st?.count, st?.sum], [4, '9007199254741050']);

  const u = new Aggregator(config);
  [['x', '1'], ['y', '2'], ['x', '3'], [undefined, '4']].forEach(([user, v], i) =>
    u.add(sample('b', T0 + i * S, { v: v as string }, { labels: user === undefined ? {} : { user } }), { partition: 0, offset: String(i) }, 0));
  assert.deepEqual(state(u.flushAll(), 'b', 'uniq'), { count: 4, sum: '0', distinct: ['x', 'y'] });
});

test('rows are reused after emission without carrying anything over', () => {
  const agg = new Aggregator(config);
  const big = '123456789012345678901'; // an offset that is no short decimal: kept as text
  agg.add(sample('a', T0 + 1 * S, { v: '12345678901234567890', c: '5' }, { labels: { user: 'u1' } }), { partition: 0, offset: big }, 0);
  agg.add(sample('a', T0 + 2 * S, { v: '9007199254740993' }, { labels: { user: 'u2' } }), { partition: 0, offset: '007' }, 0);
  // a's window [0,60) closes when b's sample at 61 s moves the watermark: its row is freed
  const first = agg.add(sample('b', T0 + 61 * S, { v: '1' }), { partition: 0, offset: '8' }, 0);
  assert.deepEqual(first.map((p) => [p.serverId, p.meter, p.source?.firstOffset, p.source?.lastOffset]), [
    ['a', 'sum', big, '007'], ['a', 'max', big, '007'], ['a', 'min', big, '007'], ['a', 'latest', big, '007'],
    ['a', 'ctr', big, big], ['a', 'uniq', big, '007'], ['a', 'ip', big, '007'],
  ]);
  // 12345678901234567890 + 9007199254740993 = 12354686100489308883
  assert.equal(state(first, 'a', 'sum')?.sum, '12354686100489308883');
  // b's rows (one reuses a's): only b's sample
  const parts = agg.flushAll();
  assert.deepEqual(parts.map((p) => [p.meter, p.state, p.source?.firstOffset]), [
    ['sum', { count: 1, sum: '1' }, '8'],
    ['max', { count: 1, sum: '0', max: '1' }, '8'],
    ['min', { count: 1, sum: '0', min: '1' }, '8'],
    ['latest', { count: 1, sum: '0', latest: '1', latestTsMs: T0 + 61 * S }, '8'],
    ['uniq', { count: 1, sum: '0', distinct: [] }, '8'], // no user label: nothing distinct
    ['ip', { count: 1, sum: '0.0166666666666666666666666666666666666666666666666666666666667' }, '8'], // 60 ÷ 3600 to 60 digits
  ]);
});

test('a snapshot of values beyond 2^53 restores to the same parts', () => {
  const a = new Aggregator(config);
  const b = new Aggregator(config);
  const feed = (agg: Aggregator, sec: number, v: string, off: string): void =>
    void agg.add(sample('a', T0 + sec * S, { v, c: v }, { labels: { user: v } }), { partition: 0, offset: off }, 0);
  feed(a, 1, '99999999999999999999.5', '18014398509481984'); // offset 2^54: over 15 digits → text
  feed(b, 1, '99999999999999999999.5', '18014398509481984');
  b.restore(JSON.parse(JSON.stringify(b.snapshot())), 0);
  feed(a, 2, '-0.5', '18014398509481985');
  feed(b, 2, '-0.5', '18014398509481985');
  const pa = a.flushAll();
  assert.deepEqual(b.flushAll(), pa);
  assert.equal(state(pa, 'a', 'sum')?.sum, '99999999999999999999'); // 99999999999999999999.5 − 0.5
  assert.equal(pa[0]?.source?.lastOffset, '18014398509481985');
});

test('a count beyond 2^32 − 1 (restored) keeps counting exactly; offsets far apart stay exact', () => {
  const agg = new Aggregator({ ...config, meters: [sum] });
  agg.add(sample('a', T0 + 1 * S, { v: '1' }), { partition: 0, offset: '10' }, 0);
  const snap = agg.snapshot();
  const acc = snap.partitions[0]?.open[0]?.accs['sum'];
  assert.ok(acc !== undefined);
  acc.count = 5_000_000_000; // > 2^32 − 1 = 4 294 967 295
  const b = new Aggregator({ ...config, meters: [sum] });
  b.restore(snap, 0);
  // offset 999999999999999 is 10^15 − 1 − 10 past the row's first: too far for the 32-bit column
  b.add(sample('a', T0 + 2 * S, { v: '2' }), { partition: 0, offset: '999999999999999' }, 0);
  const [part] = b.flushAll();
  assert.deepEqual([part?.state.count, part?.state.sum, part?.source?.firstOffset, part?.source?.lastOffset], [5_000_000_001, '3', '10', '999999999999999']);
});

test('scales past a byte (253 for values, 254 for sums) stay exact, live and restored', () => {
  const tiny = (k: number): string => `1e-${k}`; // 10^-k: one digit at scale k
  const frac = (int: string, zeros: number, last: string): string => `${int}.${'0'.repeat(zeros)}${last}`;
  for (const k of [253, 254, 255, 300]) {
    const a = new Aggregator(config);
    a.add(sample('a', T0 + 1 * S, { v: '2.5' }), { partition: 0, offset: '1' }, 0);
    a.add(sample('a', T0 + 2 * S, { v: tiny(k) }), { partition: 0, offset: '2' }, 0);
    const b = new Aggregator(config);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())), 0);
    // Through changelog records, straight into the slab: format 4, and format 3 (an upgrade).
    const log = new ChangelogModel();
    log.commit(a, [0]);
    const d = new Aggregator(config);
    log.restoreInto(d, 0, 0);
    log.writeLegacy(a, 0, 'packed');
    const e = new Aggregator(config);
    log.restoreInto(e, 0, 0);
    for (const agg of [a, b, d, e]) agg.add(sample('a', T0 + 3 * S, { v: '-0.5' }), { partition: 0, offset: '3' }, 0);
    const pa = a.flushAll();
    assert.deepEqual(b.flushAll(), pa, `scale ${k}`);
    assert.deepEqual(d.flushAll(), pa, `scale ${k}, format 4`);
    assert.deepEqual(e.flushAll(), pa, `scale ${k}, packed`);
    // sum: 2.5 + 10^-k − 0.5 = 2.000…01 (k − 1 zeros after the point)
    assert.equal(state(pa, 'a', 'sum')?.sum, frac('2', k - 1, '1'), `sum at scale ${k}`);
    assert.equal(state(pa, 'a', 'max')?.max, '2.5');
    assert.equal(state(pa, 'a', 'min')?.min, '-0.5');
    assert.equal(state(pa, 'a', 'latest')?.latest, '-0.5');
    // min of 2.5 and 10^-k alone (no −0.5): 10^-k, compared across scales 1 and k
    const c = new Aggregator(config);
    c.add(sample('a', T0 + 1 * S, { v: tiny(k) }), { partition: 0, offset: '1' }, 0);
    c.add(sample('a', T0 + 2 * S, { v: '2.5' }), { partition: 0, offset: '2' }, 0);
    c.add(sample('a', T0 + 3 * S, { v: tiny(k + 1) }), { partition: 0, offset: '3' }, 0);
    const pc = c.flushAll();
    assert.equal(state(pc, 'a', 'min')?.min, frac('0', k, '1'), `min at scale ${k + 1}`);
    assert.equal(state(pc, 'a', 'latest')?.latest, frac('0', k, '1'));
    // 10^-k + 2.5 + 10^-(k+1) = 2.5 followed by k − 2 zeros, then 11
    assert.equal(state(pc, 'a', 'sum')?.sum, frac('2', 0, `5${'0'.repeat(k - 2)}11`), `sum at scale ${k + 1}`);
  }
});
