// Windows, watermarks, lateness → corrections, idle partitions, split points, lineage and
// snapshot/restore of the Aggregator (SPEC §4). Expectations worked by hand in comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { splitPointsFrom } from '../../../pipeline/windows/segments.js';
import { isKind } from '../../../lib/errors.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;
const req = meter('req', 'r', 'delta', 'sum');
const short = (p: RollupPart): [number, number, string, boolean] => [(p.windowStartMs - T0) / S, (p.windowEndMs - T0) / S, p.state.sum, p.correction];

test('on-time windows, a late sample as a correction, totals preserved', () => {
  const agg = new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 30 * S, idleTimeoutMs: 1000 });
  const out: RollupPart[][] = [];
  const feed = (sec: number, v: string, off: number): void => {
    out.push([...agg.add(sample('a', T0 + sec * S, { r: v }), { partition: 0, offset: String(off) }, 0)]);
  };
  feed(10, '1', 0); //   wm = 10 − 30 = −20 s
  feed(50, '2', 1); //   wm = 20 s
  feed(95, '4', 2); //   wm = 65 s ≥ 60: [0,60) emitted, sum 1 + 2 = 3
  feed(40, '8', 3); //   [0,60) closed → pending correction
  feed(100, '16', 4); // wm = 70 s: no window ends, closed point stays in window 1 → still pending
  feed(130, '32', 5); // wm = 100 s
  feed(150, '64', 6); // wm = 120 s: [60,120) emitted (4 + 16 = 20); crossing 120 s flushes the correction (8)
  assert.deepEqual(out.map((ps) => ps.map(short)), [[], [], [[0, 60, '3', false]], [], [], [], [[60, 120, '20', false], [0, 60, '8', true]]]);
  const last = agg.flushAll().map(short);
  assert.deepEqual(last, [[120, 180, '96', false]]); // 32 + 64
  // 3 + 8 + 20 + 96 = 127 = 1 + 2 + … + 64: nothing lost, nothing doubled
  const correction = out[6]?.[1] as RollupPart;
  assert.equal(correction.partId, 'metrics.raw:0:3:req:' + T0);
  assert.deepEqual(correction.source, { topic: 'metrics.raw', partition: 0, firstOffset: '3', lastOffset: '3' });
  const first = out[2]?.[0] as RollupPart;
  assert.deepEqual(first.source, { topic: 'metrics.raw', partition: 0, firstOffset: '0', lastOffset: '1' });
});

test('samples after flushAll, or older than every window, still count (as corrections)', () => {
  const agg = new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  agg.add(sample('a', T0 + 3 * MIN, { r: '1' }), { partition: 0, offset: '0' }, 0);
  assert.deepEqual(agg.flushAll().map(short), [[180, 240, '1', false]]);
  agg.add(sample('a', T0 + 10 * S, { r: '5' }), { partition: 0, offset: '1' }, 0); // a day-old window, never seen
  assert.deepEqual(agg.flushAll().map(short), [[0, 60, '5', true]]);
});

test('an idle partition stops holding its windows open; late data there is a correction', () => {
  const agg = new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const p0 = { partition: 0, offset: '0' };
  const p1 = { partition: 1, offset: '0' };
  agg.add(sample('a', T0 + 10 * S, { r: '1' }), p0, 0); // p0 wm 10 s
  agg.add(sample('b', T0 + 20 * S, { r: '2' }), p1, 0); // p1 wm 20 s
  // p0 moves on (now 500 ms): its wm 130 s closes a's [0,60); b's window waits for p1's own watermark
  assert.deepEqual(agg.add(sample('a', T0 + 130 * S, { r: '4' }), { partition: 0, offset: '1' }, 500).map((p) => p.serverId), ['a']);
  assert.deepEqual(agg.tick(999), []); // p1 quiet for 999 ms < 1000: not idle yet
  // now 1000: p1 idle (1000 − 0 ≥ 1000), p0 active (1000 − 500 < 1000) → p1 closes up to p0's wm 130 s
  assert.deepEqual(agg.tick(1000).map((p) => [p.serverId, ...short(p)]), [['b', 0, 60, '2', false]]);
  // b's straggler for [0,60) arrives: window closed → pending correction, emitted once it waited
  // idleTimeoutMs (p1's watermark does not cross a window boundary: 25 s < 130 s)
  assert.deepEqual(agg.add(sample('b', T0 + 25 * S, { r: '8' }), { partition: 1, offset: '1' }, 1100), []);
  assert.deepEqual(agg.tick(2099), []);
  assert.deepEqual(agg.tick(2100).map((p) => [p.serverId, ...short(p)]), [['b', 0, 60, '8', true]]);
  // everything idle: the most advanced watermark (p0, 130 s) closes nothing new; a's [120,180) waits
  assert.deepEqual(agg.tick(10_000), []);
  assert.deepEqual(agg.flushAll().map((p) => [p.serverId, ...short(p)]), [['a', 120, 180, '4', false]]);
});

test('split points cut windows into segments; a sample counts whole where its ts falls', () => {
  const HOUR = 60 * MIN;
  // a's subscription starts at 00:20; a period boundary at 01:00 coincides with a window end
  const split = splitPointsFrom([T0 + HOUR], new Map([['a', [T0 + 20 * MIN]]]));
  const bw = meter('bw', 'net', 'counter', 'sum');
  const agg = new Aggregator({ meters: [req, bw], windowMs: HOUR, allowedLatenessMs: 0, idleTimeoutMs: 1000, splitPoints: split });
  const rows = [
    ['a', 10, { r: '1', net: '100' }], // a [0,20m): r 1, counter baseline (0)
    ['a', 25, { r: '2', net: '150' }], // a [20m,60m): r 2, +50
    ['b', 10, { r: '8' }], //             b [0,60m) (no split for b)
    ['a', 50, { r: '4', net: '175' }], // a [20m,60m): r 4, +25
    ['b', 25, { r: '16' }],
  ] as const;
  const out: RollupPart[] = [];
  rows.forEach(([srv, min, metrics], i) => out.push(...agg.add(sample(srv, T0 + min * MIN, { ...metrics }), { partition: 0, offset: String(i) }, 0)));
  // lateness 0: a at 25 m moves the watermark past 20 m, so a's first segment is out already
  assert.deepEqual(out.map((p) => [p.serverId, (p.windowEndMs - T0) / MIN]), [['a', 20], ['a', 20]]);
  const parts = [...out, ...agg.flushAll()].map((p) => [p.serverId, p.meter, (p.windowStartMs - T0) / MIN, (p.windowEndMs - T0) / MIN, p.state.sum]);
  assert.deepEqual(parts, [
    ['a', 'req', 0, 20, '1'],
    ['a', 'bw', 0, 20, '0'],
    ['a', 'req', 20, 60, '6'],
    ['a', 'bw', 20, 60, '75'],
    ['b', 'req', 0, 60, '24'],
  ]);
});

test('partIds are deterministic and unique', () => {
  const run = (): string[] => {
    const agg = new Aggregator({ meters: [req, meter('peak', 'r', 'gauge', 'max')], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
    const ids: string[] = [];
    [10, 70, 20, 130, 30].forEach((sec, i) => ids.push(...agg.add(sample('a', T0 + sec * S, { r: String(i) }), { partition: 3, offset: String(100 + i) }, 0).map((p) => p.partId)));
    return [...ids, ...agg.flushAll().map((p) => p.partId)];
  };
  const a = run();
  assert.deepEqual(a, run());
  assert.equal(new Set(a).size, a.length);
  assert.ok(a.includes(`metrics.raw:3:102:req:${T0}`)); // the correction of [0,60) starting at offset 102
});

test('snapshot → JSON → restore mid-stream gives exactly the uninterrupted output', () => {
  const config: AggregatorConfig = {
    meters: [req, meter('bw', 'net', 'counter', 'sum', { factor: '1e-9' }), meter('peak', 'cpu', 'gauge', 'max'), meter('dcs', 'cpu', 'gauge', 'unique', { label: 'dc' })],
    windowMs: MIN, allowedLatenessMs: 20 * S, idleTimeoutMs: 1000,
  };
  // two partitions, out-of-order and late samples, a counter reset, ticks in between
  const events: Array<{ kind: 'add'; p: number; srv: string; sec: number; v: number } | { kind: 'tick'; now: number }> = [];
  let x = 7;
  const rnd = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < 300; i++) {
    if (i % 37 === 36) events.push({ kind: 'tick', now: i * 10 });
    else events.push({ kind: 'add', p: rnd(2), srv: `s${rnd(3)}`, sec: Math.max(0, i * 2 - rnd(90)), v: rnd(1000) });
  }
  const apply = (agg: Aggregator, from: number, to: number): RollupPart[] => {
    const out: RollupPart[] = [];
    for (let i = from; i < to; i++) {
      const e = events[i];
      if (e === undefined) continue;
      if (e.kind === 'tick') out.push(...agg.tick(e.now));
      else {
        const off = i; // the event index: unique within each partition too
        out.push(...agg.add(sample(e.srv, T0 + e.sec * S, { r: String(e.v), net: String(e.v * 1000), cpu: String(e.v % 10) }, { labels: { dc: `dc${e.v % 4}` } }), { partition: e.p, offset: String(off) }, i * 10));
      }
    }
    return out;
  };
  const whole = new Aggregator(config);
  const expected = [...apply(whole, 0, events.length), ...whole.flushAll()];
  assert.ok(expected.some((p) => p.correction), 'the stream has corrections');
  for (const cut of [1, 50, 123, 299]) {
    const first = new Aggregator(config);
    const before = apply(first, 0, cut);
    const second = new Aggregator(config);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    const after = [...apply(second, cut, events.length), ...second.flushAll()];
    assert.deepEqual([...before, ...after], expected, `cut at ${cut}`);
  }
});

test('rebalance: one partition handed over alone, the other untouched', () => {
  const mk = (): Aggregator => new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const a = mk();
  a.add(sample('x', T0, { r: '1' }), { partition: 0, offset: '0' }, 0);
  a.add(sample('y', T0, { r: '2' }), { partition: 1, offset: '0' }, 0);
  const snap = a.snapshotPartition(1);
  assert.ok(snap);
  a.revokePartition(1);
  assert.deepEqual(a.partitions(), [0]);
  const b = mk();
  b.restorePartition(JSON.parse(JSON.stringify(snap)));
  assert.deepEqual(b.flushAll().map((p) => [p.serverId, p.state.sum]), [['y', '2']]);
  assert.deepEqual(a.flushAll().map((p) => [p.serverId, p.state.sum]), [['x', '1']]);
  assert.equal(a.snapshotPartition(7), undefined);
});

test('bad configuration and mismatched snapshots are refused by name', () => {
  assert.throws(() => new Aggregator({ meters: [req, req], windowMs: 0, allowedLatenessMs: -1, idleTimeoutMs: 0 }), (e: unknown) => {
    assert.ok(isKind(e, 'config'));
    assert.match(e.message, /windowMs must be a positive integer.*allowedLatenessMs.*idleTimeoutMs.*meter req is configured twice/);
    return true;
  });
  const a = new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1 });
  const snap = a.snapshot();
  const b = new Aggregator({ meters: [meter('req', 'r', 'delta', 'sum', { factor: '2' })], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1 });
  assert.throws(() => b.restore(snap), /meter req changed/);
  const c = new Aggregator({ meters: [req], windowMs: 2 * MIN, allowedLatenessMs: 0, idleTimeoutMs: 1 });
  assert.throws(() => c.restore(snap), /windowMs 60000 ≠ configured 120000/);
});

test('a malformed metric value names the sample and metric, and the sample counts nowhere', () => {
  const bw = meter('bw', 'net', 'counter', 'sum');
  const a = new Aggregator({ meters: [bw, req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1 });
  a.add(sample('a', T0, { net: '100' }), { partition: 0, offset: '0' }, 0); // baseline 100
  // net is fine but r is not: the whole sample is rejected before anything changes
  assert.throws(() => a.add(sample('a', T0 + 10 * S, { net: '150', r: 'lots' }, { id: 'bad-1' }), { partition: 0, offset: '1' }, 0), /sample bad-1: metrics\.r: not a decimal number: "lots"/);
  a.add(sample('a', T0 + 20 * S, { net: '170' }), { partition: 0, offset: '2' }, 0);
  // 170 − 100 = 70 from the baseline (had the bad sample been applied in part: 20 and count 3)
  assert.deepEqual(a.flushAll().map((p) => [p.meter, p.state.sum, p.state.count]), [['bw', '70', 2]]);
});

test('pending corrections: batched per segment, flushed when too many are pending', () => {
  const agg = new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 60_000, maxPendingCorrections: 2 });
  agg.add(sample('a', T0 + 10 * MIN, { r: '1' }), { partition: 0, offset: '0' }, 0); // closes everything before 10 m
  // three stragglers for [0,1m) of a: one pending correction segment, summed
  for (let i = 1; i <= 3; i++) assert.deepEqual(agg.add(sample('a', T0 + i * S, { r: String(i) }), { partition: 0, offset: String(i) }, 0), []);
  assert.deepEqual(agg.add(sample('b', T0 + 5 * S, { r: '10' }), { partition: 0, offset: '4' }, 0), []); // 2 segments pending: not over 2
  // a third pending segment exceeds maxPendingCorrections = 2: all three are flushed, canonically ordered
  const out = agg.add(sample('c', T0 + 65 * S, { r: '100' }), { partition: 0, offset: '5' }, 0);
  assert.deepEqual(out.map((p) => [p.serverId, ...short(p)]), [
    ['a', 0, 60, '6', true], // 1 + 2 + 3
    ['b', 0, 60, '10', true],
    ['c', 60, 120, '100', true],
  ]);
  assert.deepEqual(out[0]?.source, { topic: 'metrics.raw', partition: 0, firstOffset: '1', lastOffset: '3' });
});

test('restore with nowMs: a restored partition is not idle by the old process’s clock', () => {
  const mk = (): Aggregator => new Aggregator({ meters: [req], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const a = mk();
  a.add(sample('x', T0 + 10 * S, { r: '1' }), { partition: 0, offset: '0' }, 0);
  a.add(sample('y', T0 + 200 * S, { r: '2' }), { partition: 1, offset: '0' }, 0);
  const snap = JSON.parse(JSON.stringify(a.snapshot()));
  // new process at processing time 50_000; p1 keeps getting records, p0's replay has not begun
  const b = mk();
  b.restore(snap, 50_000);
  b.add(sample('y', T0 + 210 * S, { r: '4' }), { partition: 1, offset: '1' }, 50_500);
  assert.deepEqual(b.tick(50_900), []); // p0 restored at 50_000: 900 ms < 1000, still active
  // without nowMs, p0's last activity (0) makes it idle at once: x's window closes up to p1's 210 s
  const c = mk();
  c.restore(snap);
  c.add(sample('y', T0 + 210 * S, { r: '4' }), { partition: 1, offset: '1' }, 50_500);
  assert.deepEqual(c.tick(50_900).map((p) => p.serverId), ['x']);
});

test('rowsClosedBy says beforehand how many open rows a sample closes, and changes nothing', () => {
  // The oracle is the aggregator itself: for a pseudo-random stream (three partitions, out of
  // order, lateness of 2 minutes), the prediction before each add must be the number of
  // (server, window) rows whose on-time parts that add emitted.
  const agg = new Aggregator({ meters: [meter('req', 'r', 'delta', 'sum')], windowMs: MIN, allowedLatenessMs: 2 * MIN, idleTimeoutMs: 10 * MIN });
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  let predictedCloses = 0;
  let severalRows = false;
  for (let i = 0; i < 3000; i++) {
    const partition = rnd(3);
    const ts = T0 + i * 1000 - rnd(5 * MIN); // mostly forward, up to 5 minutes back
    const said = agg.rowsClosedBy(partition, ts);
    const again = agg.rowsClosedBy(partition, ts); // asking twice changes nothing
    const parts = agg.add(sample(`srv${rnd(20)}`, ts, { r: '1' }), { partition, offset: String(i) }, T0);
    assert.equal(again, said);
    const rows = new Set(parts.filter((p) => !p.correction).map((p) => `${p.serverId}@${p.windowStartMs}`));
    assert.equal(said, rows.size, `sample ${i} (partition ${partition})`);
    if (said > 0) predictedCloses++;
    if (said > 1) severalRows = true;
  }
  assert.ok(predictedCloses > 20, `the stream closed windows (${predictedCloses} times)`);
  assert.ok(severalRows, 'some closes took several rows');
  assert.equal(agg.rowsClosedBy(9, T0 + 1e9), 0); // a partition never seen holds nothing
});
