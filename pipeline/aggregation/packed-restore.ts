// Restores a binary server record (record-codec.ts) straight into a partition's slab: no
// ServerRecord, AccSnapshot or decimal string in between, so a restore costs a few typed-array
// writes per accumulator. Semantics are those of snapshotFromRecords (changes.ts): an open
// segment the closed point passed, and a correction of an older epoch, were emitted already.
import { parseFixed } from './fixed.js';
import type { PartitionState } from './partition.js';
import { Reader, readHeader } from './record-codec.js';
import { offOf, type Slab } from './slab.js';

export interface PackedContext {
  /** Meter name → slab column index (throws on an unknown meter). */
  meterIndex: (name: string) => number;
  closedUpToMs: number;
  correctionsEpoch: number;
  /** Processing time the oldest pending correction arrived (the meta's). */
  correctionsSinceMs: number;
}

export function restorePacked(p: PartitionState, b: Buffer, ctx: PackedContext): void {
  const rd = new Reader(b);
  const { serverId, names, counters } = readHeader(rd);
  const index = names.map(ctx.meterIndex);
  if (counters.length > 0) {
    const series = p.server(serverId).series;
    for (const [metric, tsMs, v] of counters) series.set(metric, { tsMs, value: parseFixed(v) });
  }
  const nOpen = rd.uv();
  const nCorr = rd.uv();
  const slab = p.slab;
  for (let k = 0; k < nOpen + nCorr; k++) {
    const correction = k >= nOpen;
    const startMs = rd.f64();
    const seg = { startMs, endMs: startMs + rd.uv() };
    const epoch = correction ? rd.uv() - 1 : -1;
    const keep = correction ? epoch === ctx.correctionsEpoch : seg.endMs > ctx.closedUpToMs;
    // A skipped segment is still read through: the record is one stream.
    const row = !keep ? -1 : correction ? p.correctionRow(serverId, seg, ctx.correctionsSinceMs) : p.openRow(p.server(serverId), seg);
    restoreAccs(rd, slab, row, index);
  }
}

/**
 * Reads one segment's accumulators (record-codec.ts) into a slab row; row −1 reads them through
 * (a skipped segment: the record is one stream). `index` maps the record's meter numbers to
 * the slab's columns.
 */
export function restoreAccs(rd: Reader, slab: Slab, row: number, index: readonly number[]): void {
  for (let a = rd.uv(); a > 0; a--) {
    const m = index[rd.uv()] as number;
    const count = rd.uv();
    const first = rd.off();
    const last = rd.lastOff(first.n);
    const sum = rd.dec();
    const flags = rd.u8();
    const x = flags & 1 ? rd.dec() : undefined;
    const xTs = flags & 4 ? rd.f64() : 0;
    const distinct = flags & 2 ? Array.from({ length: rd.uv() }, () => rd.str()) : undefined;
    if (row < 0) continue;
    slab.setCount(row, m, count);
    slab.openCell(row, m);
    slab.setOffsets(row, m, first.text === undefined ? first.n : offOf(first.text), last.text === undefined ? last.n : offOf(last.text));
    const c = slab.cols[m] as (typeof slab.cols)[number];
    if (c.small !== undefined) {
      if (sum.text === undefined) slab.setSmall(row, m, sum.n, sum.s);
      else {
        const f = parseFixed(sum.text);
        slab.addBig(row, m, f.m, f.s);
      }
    }
    if (x !== undefined && c.xs !== undefined) {
      slab.setX(row, m, x.text === undefined ? { m: BigInt(x.n), s: x.s } : parseFixed(x.text), xTs);
    }
    if (distinct !== undefined) slab.distinct.set(row * slab.meters.length + m, new Set(distinct));
  }
}
