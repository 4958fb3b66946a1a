// Changelog records of format 4 (keys: state-keys.ts): one open segment or pending correction of
// one server, or one server's counter baselines. Written straight from the slab (no snapshot
// objects, no decimal strings for the common safe-integer values) and restored straight into it.
// The accumulators are laid out as in format 3 (record-codec.ts); a meter is named by its index
// in the meta record's `order`, which is written in the same transaction as every record.
//
//   segment:  0x00 0x04 · f64 startMs · uv (endMs − startMs) · uv accs · acc…   (acc: record-codec.ts)
//   counters: 0x00 0x04 · uv n · (str metric, f64 tsMs, dec value)…
import type { SegmentRecord, ServerRecord } from './changes.js';
import { formatFixed, parseFixed } from './fixed.js';
import type { PartitionState, ServerState } from './partition.js';
import { readAccs, Reader, Writer } from './record-codec.js';
import { restoreAccs } from './packed-restore.js';
import type { Slab } from './slab.js';

export const WINDOW_FORMAT = 4;

const header = (w: Writer): void => {
  w.reset();
  w.u8(0);
  w.u8(WINDOW_FORMAT);
};

/** Writes row `row` of the slab as a segment record (meter numbers: slab columns). */
export function writeSegment(w: Writer, slab: Slab, row: number): Buffer {
  header(w);
  const start = slab.start[row] as number;
  w.f64(start);
  w.uv(slab.length[row] as number);
  const n = slab.meters.length;
  let cells = 0;
  for (let m = 0; m < n; m++) if (slab.has(row, m)) cells++;
  w.uv(cells);
  for (let m = 0; m < n; m++) {
    if (!slab.has(row, m)) continue;
    const cell = row * n + m;
    const c = slab.cols[m] as (typeof slab.cols)[number];
    w.uv(m);
    w.uv(slab.count(row, m));
    const first = slab.offsets.off(row, m, false);
    w.offOf(first);
    w.lastOffOf(slab.offsets.off(row, m, true), first);
    if (c.small === undefined) w.decNum(0, 0);
    else if (slab.sumBig.has(cell)) w.dec(formatFixed(slab.sum(row, m)));
    else w.decNum(c.small[row] as number, slab.scaleOf(row, m));
    const hasX = slab.hasX(row, m);
    const ts = c.xts?.[row] ?? 0;
    const distinct = slab.distinct.get(cell);
    w.u8((hasX ? 1 : 0) | (distinct === undefined ? 0 : 2) | (ts === 0 ? 0 : 4));
    if (hasX) {
      const xm = (c.xm as Float64Array | Int32Array)[row] as number;
      if (Number.isNaN(xm)) w.dec(formatFixed(slab.x(row, m) as { m: bigint; s: number }));
      else w.decNum(xm, slab.xScale(row, m));
      if (ts !== 0) w.f64(ts);
    }
    if (distinct !== undefined) {
      const sorted = [...distinct].sort();
      w.uv(sorted.length);
      for (const d of sorted) w.str(d);
    }
  }
  return w.copy();
}

/** Writes a server's counter baselines. */
export function writeCounters(w: Writer, st: ServerState): Buffer {
  header(w);
  w.uv(st.size);
  for (const [metric, r] of st) {
    w.str(metric);
    w.f64(r.tsMs);
    w.dec(formatFixed(r.value));
  }
  return w.copy();
}

/** Whether a stored value is a format-4 record. */
export const isWindowRecord = (b: Uint8Array): boolean => b.length > 1 && b[0] === 0 && b[1] === WINDOW_FORMAT;

/**
 * Restores a segment record into the partition: an open row (or a pending correction row) of
 * `serverId`; returns the row, or −1 when the record was skipped (an open segment the closed
 * point passed: emitted already). `index` maps the record's meter numbers to slab columns.
 */
export function restoreSegment(
  p: PartitionState,
  serverId: string,
  correction: boolean,
  b: Buffer,
  index: readonly number[],
  ctx: { closedUpToMs: number; correctionsSinceMs: number },
): number {
  const rd = new Reader(b);
  const startMs = rd.f64();
  const seg = { startMs, endMs: startMs + rd.uv() };
  const keep = correction || seg.endMs > ctx.closedUpToMs;
  const row = !keep ? -1 : correction ? p.correctionRow(serverId, seg, ctx.correctionsSinceMs) : p.openRow(p.server(serverId), seg);
  restoreAccs(rd, p.slab, row, index);
  return row;
}

/** A segment record as a SegmentRecord (migrations, tools, tests); `names` per meter number. */
export function decodeSegment(b: Buffer, names: readonly string[]): SegmentRecord {
  const rd = new Reader(b);
  const startMs = rd.f64();
  const endMs = startMs + rd.uv();
  return { startMs, endMs, accs: readAccs(rd, names) };
}

/** A counters record as [metric, tsMs, value] triples. */
export function decodeCounters(b: Buffer): ServerRecord['counters'] {
  const rd = new Reader(b);
  return Array.from({ length: rd.uv() }, () => [rd.str(), rd.f64(), rd.decText()] as [string, number, string]);
}

/** Restores a counters record into a server's series. */
export function restoreCounters(st: ServerState, b: Buffer): void {
  for (const [metric, tsMs, v] of decodeCounters(b)) st.set(metric, { tsMs, value: parseFixed(v) });
}
