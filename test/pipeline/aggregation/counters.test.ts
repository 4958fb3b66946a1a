// Counter series (SPEC §3): arrival order, out-of-order samples ignored, resets, a baseline
// carried across windows and a snapshot, the increase in the window of the newer sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CounterBaselines } from '../../../pipeline/aggregation/counters.js';
import { formatFixed, parseFixed } from '../../../pipeline/aggregation/fixed.js';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { meter, sample, T0, MIN } from './helpers.js';

const inc = (c: CounterBaselines, ts: number, v: string): string | undefined => {
  const r = c.apply('srv', 'bytes', ts, parseFixed(v));
  return r === undefined ? undefined : formatFixed(r);
};

test('baseline, increases, a reset, an out-of-order and an equal-ts sample', () => {
  const c = new CounterBaselines();
  assert.equal(inc(c, 100, '50'), '0'); // first ever: baseline
  assert.equal(inc(c, 200, '80'), '30'); // 80 − 50
  assert.equal(inc(c, 150, '9999'), undefined); // older than 200: nothing…
  assert.deepEqual(c.get('srv', 'bytes'), { tsMs: 200, value: '80' }); // …and changes nothing
  assert.equal(inc(c, 200, '90'), undefined); // same ts: not newer
  assert.equal(inc(c, 300, '20'), '20'); // 20 < 80: reset, the reading is the increase
  assert.equal(inc(c, 400, '20'), '0'); // unchanged
  assert.equal(inc(c, 500, '20.5'), '0.5');
});

test('series are per server and metric; snapshot/restore keeps baselines', () => {
  const c = new CounterBaselines();
  c.apply('a', 'x', 1, parseFixed('10'));
  c.apply('a', 'y', 1, parseFixed('20'));
  c.apply('b\u0000weird', 'x', 1, parseFixed('30'));
  const r = CounterBaselines.restore(JSON.parse(JSON.stringify(c.snapshot())));
  assert.equal(r.size, 3);
  // after restore, a's x continues from 10: 15 − 10 = 5
  assert.equal(formatFixed(r.apply('a', 'x', 2, parseFixed('15')) ?? parseFixed('-1')), '5');
  assert.deepEqual(r.get('b\u0000weird', 'x'), { tsMs: 1, value: '30' });
});

test('through the aggregator: baseline across windows, increase in the newer sample’s window', () => {
  const m = meter('bw', 'net', 'counter', 'sum');
  const agg = new Aggregator({ meters: [m], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const parts: RollupPart[] = [];
  const feed = (sec: number, v: string, off: number): void => {
    parts.push(...agg.add(sample('a', T0 + sec * 1000, { net: v }), { partition: 0, offset: String(off) }, 0));
  };
  feed(10, '1000', 0); // window 0: baseline → 0
  feed(70, '1600', 1); // window 1: 1600 − 1000 = 600 (the previous reading was in window 0)
  feed(65, '1300', 2); // older than 70 s: ignored, though window 1 is still open
  feed(190, '1700', 3); // window 3: 1700 − 1600 = 100 (window 2 has no sample and no part)
  feed(200, '40', 4); // window 3: reset → 40
  parts.push(...agg.flushAll());
  assert.deepEqual(
    parts.map((p) => [(p.windowStartMs - T0) / MIN, p.state.sum, p.state.count, p.correction]),
    [[0, '0', 1, false], [1, '600', 1, false], [3, '140', 2, false]],
  );
});

test('a counter sample newer for its series but late for its window becomes a correction', () => {
  const meters = [meter('bw', 'net', 'counter', 'sum'), meter('req', 'r', 'delta', 'sum')];
  const agg = new Aggregator({ meters, windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const parts: RollupPart[] = [];
  parts.push(...agg.add(sample('a', T0 + 5_000, { net: '100' }), { partition: 0, offset: '0' }, 0)); // a baseline, window 0
  parts.push(...agg.add(sample('b', T0 + 61_000, { r: '1' }), { partition: 0, offset: '1' }, 0)); // closes window 0
  // a at 30 s is newer than a's 5 s: +50, but window 0 is closed → correction of window 0
  parts.push(...agg.add(sample('a', T0 + 30_000, { net: '150' }), { partition: 0, offset: '2' }, 0));
  parts.push(...agg.flushAll());
  const bw = parts.filter((p) => p.meter === 'bw').map((p) => [p.windowStartMs - T0, p.state.sum, p.correction]);
  assert.deepEqual(bw, [[0, '0', false], [0, '50', true]]);
});
