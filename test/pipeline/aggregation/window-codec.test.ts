// Format-4 changelog values (window-codec.ts): a segment written straight from the slab reads
// back — as a SegmentRecord, and into another slab — to exactly the cells it was written from
// (snapshotOf, and the hand-written accumulators that filled them): sums past 2^53, scales past
// a byte, offsets as text, backward and per-cell (mixed), latest times, unique sets, counts past
// 2^32; and a server's counter baselines round-trip with values past 2^53.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AccSnapshot, compileMeter, restoreInto, snapshotOf } from '../../../pipeline/aggregation/accumulator.js';
import { parseFixed } from '../../../pipeline/aggregation/fixed.js';
import { PartitionState, ServerState } from '../../../pipeline/aggregation/partition.js';
import { Writer } from '../../../pipeline/aggregation/record-codec.js';
import { Slab } from '../../../pipeline/aggregation/slab.js';
import { decodeCounters, decodeSegment, isWindowRecord, restoreCounters, restoreSegment, writeCounters, writeSegment } from '../../../pipeline/aggregation/window-codec.js';
import { meter, T0, MIN } from './helpers.js';

const meters = [
  meter('sum', 'v', 'delta', 'sum'),
  meter('max', 'v', 'gauge', 'max'),
  meter('min', 'v', 'gauge', 'min'),
  meter('latest', 'v', 'gauge', 'latest'),
  meter('uniq', 'v', 'gauge', 'unique', { label: 'user' }),
  meter('ctr', 'c', 'counter', 'sum'),
  meter('ip', 'v', 'gauge', 'integral', { perSeconds: '3600', intervalS: '60' }),
];
const names = meters.map((m) => m.name);
const compiled = meters.map(compileMeter);
const tiny = (scale: number, digits = '1'): string => `0.${'0'.repeat(scale - digits.length)}${digits}`;

// Cells by hand, each in the canonical form a snapshot gives (modes without a sum show '0', max
// and min keep no time: xTsMs 0). Row "mixed": every cell its own offsets, some backward or text.
const mixed: Record<string, AccSnapshot> = {
  sum: { count: 3, sum: '12345678901234567890.125', firstOffset: '0', lastOffset: '123456789012345678901' },
  max: { count: 2, sum: '0', x: '-12345678901234567890', xTsMs: 0, firstOffset: 'x-7', lastOffset: '5' },
  min: { count: 1, sum: '0', x: tiny(260), xTsMs: 0, firstOffset: '007', lastOffset: '007' },
  latest: { count: 4, sum: '0', x: '-2.5', xTsMs: T0 + 59_999, firstOffset: '9', lastOffset: '7' },
  uniq: { count: 4, sum: '0', distinct: ['dc1', 'dc2', 'Ä', 'ü', '服务器'], firstOffset: '1', lastOffset: '9000000000' },
  ctr: { count: 5_000_000_000, sum: '-9007199254740993', firstOffset: '999999999999999', lastOffset: '1000000000000000' },
  ip: { count: 1, sum: tiny(300, '17'), firstOffset: '18014398509481984', lastOffset: '18014398509481985' },
};
// Row "shared": every cell the same offsets, small values; two meters absent.
const shared: Record<string, AccSnapshot> = {
  sum: { count: 2, sum: '-0.5', firstOffset: '10', lastOffset: '12' },
  max: { count: 2, sum: '0', x: '3', xTsMs: 0, firstOffset: '10', lastOffset: '12' },
  latest: { count: 2, sum: '0', x: '0', xTsMs: 1, firstOffset: '10', lastOffset: '12' },
  ctr: { count: 1, sum: '9007199254740991', firstOffset: '10', lastOffset: '12' },
  ip: { count: 2, sum: '0.0333333333333333333333333333333333333333333333333333333333333', firstOffset: '10', lastOffset: '12' },
};

function fill(slab: Slab, server: number, startMs: number, accs: Record<string, AccSnapshot>): number {
  const row = slab.alloc(server, startMs, startMs + MIN);
  for (const [name, a] of Object.entries(accs)) restoreInto(slab, row, names.indexOf(name), a);
  return row;
}

/** Every present cell of a row, as snapshots by meter name. */
function cells(slab: Slab, row: number): Record<string, AccSnapshot> {
  const out: Record<string, AccSnapshot> = {};
  names.forEach((name, m) => {
    if (slab.has(row, m)) out[name] = snapshotOf(slab, row, m);
  });
  return out;
}

test('writeSegment → decodeSegment gives the cells back exactly (the hand-written ones, and snapshotOf)', () => {
  const slab = new Slab(compiled);
  const w = new Writer();
  const rows = [fill(slab, 1, T0, mixed), fill(slab, 2, -MIN, shared)];
  // Both offset layouts are exercised: one pair per row, and a pair per cell.
  assert.deepEqual(rows.map((r) => slab.offsets.mixed[r] !== 0), [true, false]);
  const first = writeSegment(w, slab, rows[0] as number);
  const second = writeSegment(w, slab, rows[1] as number);
  assert.ok(isWindowRecord(first) && isWindowRecord(second));
  // Each record is its own copy: writing the second one (same writer) leaves the first intact.
  assert.deepEqual(decodeSegment(first, names), { startMs: T0, endMs: T0 + MIN, accs: mixed });
  assert.deepEqual(decodeSegment(second, names), { startMs: -MIN, endMs: 0, accs: shared });
  assert.deepEqual(decodeSegment(first, names).accs, cells(slab, rows[0] as number));
  assert.deepEqual(decodeSegment(second, names).accs, cells(slab, rows[1] as number));
});

test('restoreSegment puts a record back into another slab, meter numbers mapped to its columns', () => {
  const slab = new Slab(compiled);
  const w = new Writer();
  const open = writeSegment(w, slab, fill(slab, 0, T0, mixed));
  const corr = writeSegment(w, slab, fill(slab, 0, T0 - MIN, shared));
  // The target's meters in reverse order: record meter m is the target's column n − 1 − m.
  const reversed = [...compiled].reverse();
  const p = new PartitionState(0, reversed);
  const index = names.map((_, m) => names.length - 1 - m);
  const ctx = { closedUpToMs: T0, correctionsSinceMs: 7 };
  const r1 = restoreSegment(p, 'srv/ü', false, open, index, ctx);
  const r2 = restoreSegment(p, 'srv/ü', true, corr, index, ctx);
  const back = (row: number): Record<string, AccSnapshot> => {
    const out: Record<string, AccSnapshot> = {};
    reversed.forEach((cm, n) => {
      if (p.slab.has(row, n)) out[cm.name] = snapshotOf(p.slab, row, n);
    });
    return out;
  };
  assert.deepEqual([p.serverIdOf(r1), p.slab.start[r1], p.slab.endOf(r1), back(r1)], ['srv/ü', T0, T0 + MIN, mixed]);
  assert.deepEqual([p.slab.start[r2], back(r2), p.pendingCorrections, p.correctionsSinceMs], [T0 - MIN, shared, 1, 7]);
  assert.equal(p.openCount, 1);
  // An open segment the closed point passed was emitted already: skipped (−1), nothing restored.
  assert.equal(restoreSegment(p, 'x', false, corr, index, ctx), -1);
  assert.equal(p.openCount, 1);
});

test('counter baselines round-trip: values past 2^53, negative and scaled, any metric name, a third series', () => {
  const readings: Array<[string, number, string]> = [
    ['net_tx_bytes', T0 + 5, '99999999999999999999'],
    ['ü-metric', -1, '-0.000000000000000000001'],
    ['third', 0, '9007199254740993.5'],
    ['fourth', Number.MAX_SAFE_INTEGER, '0'],
  ];
  const st = new ServerState('s');
  for (const [metric, tsMs, v] of readings) st.set(metric, { tsMs, value: parseFixed(v) });
  const b = writeCounters(new Writer(), st);
  assert.ok(isWindowRecord(b));
  assert.deepEqual(decodeCounters(b), readings);
  const back = new ServerState('s');
  restoreCounters(back, b);
  assert.deepEqual([...back].map(([m, r]) => [m, r.tsMs, r.value]), readings.map(([m, ts, v]) => [m, ts, parseFixed(v)]));
  assert.deepEqual(decodeCounters(writeCounters(new Writer(), new ServerState('empty'))), []);
});
