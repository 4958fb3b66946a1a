import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CutsHolder, Segmenter, segmentsOf, splitPointsFrom, windowStartOf } from '../../../pipeline/windows/segments.js';

/** A segmenter whose servers' holders are kept here, as the aggregator keeps them on each server's state. */
function segmenter(windowMs: number, splitPoints: (srv: string) => number[]) {
  const seg = new Segmenter(windowMs, splitPoints);
  const holders = new Map<string, CutsHolder>();
  const holder = (id: string): CutsHolder => holders.get(id) ?? holders.set(id, { cuts: undefined }).get(id)!;
  return { segmentOf: (id: string, ts: number) => seg.segmentOf(id, ts, holder(id)), holders };
}

test('windows are epoch-aligned, start inclusive, end exclusive', () => {
  assert.equal(windowStartOf(0, 60_000), 0);
  assert.equal(windowStartOf(59_999, 60_000), 0);
  assert.equal(windowStartOf(60_000, 60_000), 60_000);
  assert.equal(windowStartOf(-1, 60_000), -60_000); // before the epoch: still aligned
  // 2026-10-01T00:00:10Z with 5-minute windows → 00:00:00
  assert.equal(windowStartOf(Date.UTC(2026, 9, 1, 0, 0, 10), 300_000), Date.UTC(2026, 9, 1));
});

test('split points cut a window; points outside or on its edges are ignored; duplicates collapse', () => {
  const pts = () => [150, 0, 100, 130, 130, 100, 99.5, 250];
  assert.deepEqual(segmentsOf('x', 100, 200, pts), [
    { startMs: 100, endMs: 130 },
    { startMs: 130, endMs: 150 },
    { startMs: 150, endMs: 200 },
  ]);
  assert.deepEqual(segmentsOf('x', 100, 200), [{ startMs: 100, endMs: 200 }]);
});

test('Segmenter finds the segment a ts falls in, edges included, per server', () => {
  const seg = segmenter(100, (srv) => (srv === 'a' ? [30, 60, 130] : []));
  assert.deepEqual(seg.segmentOf('a', 0), { startMs: 0, endMs: 30 });
  assert.deepEqual(seg.segmentOf('a', 29), { startMs: 0, endMs: 30 });
  assert.deepEqual(seg.segmentOf('a', 30), { startMs: 30, endMs: 60 });
  assert.deepEqual(seg.segmentOf('a', 99), { startMs: 60, endMs: 100 });
  assert.deepEqual(seg.segmentOf('b', 45), { startMs: 0, endMs: 100 });
  assert.deepEqual(seg.segmentOf('a', 100), { startMs: 100, endMs: 130 });
  assert.deepEqual(seg.segmentOf('a', 5), { startMs: 0, endMs: 30 }); // back to an earlier window
});

test('Segmenter: servers share the segment of a window no point cuts; a cut window stays per server', () => {
  const seg = segmenter(100, (srv) => (srv === 'a' ? [130] : []));
  const b = seg.segmentOf('b', 10);
  assert.equal(seg.segmentOf('c', 90), b); // the same object: one entry for the window [0, 100)
  assert.deepEqual(b, { startMs: 0, endMs: 100 });
  assert.equal(seg.segmentOf('a', 50), b); // a's window [0, 100) is not cut either
  assert.deepEqual(seg.segmentOf('a', 120), { startMs: 100, endMs: 130 }); // cut at 130
  assert.deepEqual(seg.segmentOf('b', 120), { startMs: 100, endMs: 200 });
  assert.deepEqual(seg.segmentOf('a', 130), { startMs: 130, endMs: 200 });
  // Past the shared list's bound it starts afresh; windows seen before are still answered right.
  for (let w = 0; w < 100; w++) assert.deepEqual(seg.segmentOf('b', w * 100 + 5), { startMs: w * 100, endMs: w * 100 + 100 });
  assert.deepEqual(seg.segmentOf('c', 20), { startMs: 0, endMs: 100 });
  // Each server's holder keeps the cuts of its last window; a's are its own, b's the shared one.
  assert.deepEqual(seg.holders.get('a')?.cuts?.segments, [{ startMs: 100, endMs: 130 }, { startMs: 130, endMs: 200 }]);
  assert.equal(seg.holders.get('b')?.cuts?.startMs, 9900);
  assert.equal(seg.holders.get('c')?.cuts?.segments[0], b);
});

test('splitPointsFrom: common and per-server boundaries strictly inside the window', () => {
  const sp = splitPointsFrom([1000, 0, 500], new Map([['a', [250, 1000]]]));
  assert.deepEqual([...sp('a', 0, 1000)].sort((x, y) => x - y), [250, 500]);
  assert.deepEqual([...sp('b', 0, 1000)], [500]);
  assert.deepEqual([...sp('b', 500, 1000)], []);
});
