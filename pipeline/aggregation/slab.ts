// The accumulators of a partition's open segments, laid out as a slab: one row per segment
// (server × window segment) and, per meter, typed-array columns holding only what its mode
// needs (the rows, counts and offsets: slab-rows.ts; here the sums and max / min / latest
// values). An object per accumulator (count, a running sum object, boxed doubles, BigInts, Map
// entries) cost ≈ 1.2 KB per segment of the example catalogue; a row costs about a hundred bytes
// and no garbage. Exactness is kept by construction: a column holds a double only while it is a
// safe integer (an exact mantissa), a scale only while it fits a byte; what does not fit — a sum
// whose mantissa left the safe range, a value over 2^53, a scale over 253, `unique` sets — goes
// to a side table keyed by cell (row × meters + meter), which is empty in the common case.
import { cmpFixed, type Fixed, formatFixed, pow10 } from './fixed.js';
import { widened } from './slab-columns.js';
import { SCALE_ASIDE, SlabRows, type MeterColumns } from './slab-rows.js';

export { slabColumnBytes } from './slab-columns.js';
export { offsetNumber, offOf, type Off } from './slab-offsets.js';

/** 10^k as doubles, exact for k ≤ 22. */
const POW10_NUMBER = Array.from({ length: 23 }, (_, k) => 10 ** k);

export class Slab extends SlabRows {
  /** Meter m's sum scale in the row. */
  scaleOf(row: number, m: number): number {
    const v = ((this.cols[m] as MeterColumns).scale as Uint8Array)[row] as number;
    return v !== SCALE_ASIDE ? v : (this.scaleOver.get(row * this.meters.length + m) as number);
  }

  /** Sets meter m's sum to the safe integer small × 10^-s (nothing in the BigInt part). */
  setSmall(row: number, m: number, small: number, s: number): void {
    this.putSmall(row, m, small);
    this.putScale(row, m, s);
  }

  /** Writes a safe integer into meter m's `small`, widening the column first if it is 32-bit and v is not. */
  private putSmall(row: number, m: number, v: number): void {
    const c = this.cols[m] as MeterColumns;
    if ((v | 0) !== v && (c.small as Float64Array | Int32Array).BYTES_PER_ELEMENT === 4) this.widen(c, 'small');
    (c.small as Float64Array | Int32Array)[row] = v;
  }

  /**
   * A 32-bit mantissa column as doubles (every row copied, exactly: an int32 is a double). Once
   * per meter and slab: a meter whose values outgrow 32 bits (a byte counter's increases, say)
   * costs 8 bytes per row as before, the others 4.
   */
  private widen(c: MeterColumns, key: 'small' | 'xm'): void {
    c[key] = widened(c[key] as Int32Array, Float64Array, this.capacity, this.reserve);
    this.tally();
  }

  private putScale(row: number, m: number, s: number): void {
    const col = (this.cols[m] as MeterColumns).scale as Uint8Array;
    if (s < SCALE_ASIDE) {
      col[row] = s;
      if (this.scaleOver.size > 0) this.scaleOver.delete(row * this.meters.length + m);
    } else {
      col[row] = SCALE_ASIDE;
      this.scaleOver.set(row * this.meters.length + m, s);
    }
  }

  /**
   * Adds the safe integer n × 10^-s to meter m's sum without a BigInt while the running double
   * stays a safe integer (a rounded double never is one, so Number.isSafeInteger proves
   * exactness); otherwise through the side table's BigInt.
   */
  addSmall(row: number, m: number, n: number, s: number): void {
    const c = this.cols[m] as MeterColumns;
    const cs = this.scaleOf(row, m);
    if (s < cs) {
      const k = cs - s < POW10_NUMBER.length ? n * (POW10_NUMBER[cs - s] as number) : Number.NaN;
      if (!Number.isSafeInteger(k)) return this.addBig(row, m, BigInt(n), s);
      n = k;
    } else if (s > cs) {
      // Rescale the running double up when that is exact and nothing is in the BigInt part.
      const cell = row * this.meters.length + m;
      const r = s - cs < POW10_NUMBER.length ? ((c.small as Float64Array)[row] as number) * (POW10_NUMBER[s - cs] as number) : Number.NaN;
      if (!Number.isSafeInteger(r) || this.sumBig.has(cell)) return this.addBig(row, m, BigInt(n), s);
      this.putSmall(row, m, r);
      this.putScale(row, m, s);
    }
    const small = (c.small as Float64Array)[row] as number;
    const t = small + n;
    if (Number.isSafeInteger(t)) this.putSmall(row, m, t);
    else {
      const cell = row * this.meters.length + m;
      this.sumBig.set(cell, (this.sumBig.get(cell) ?? 0n) + BigInt(small));
      this.putSmall(row, m, n);
    }
  }

  /** Adds mant × 10^-s to meter m's sum (any size). */
  addBig(row: number, m: number, mant: bigint, s: number): void {
    const small = (this.cols[m] as MeterColumns).small as Float64Array | Int32Array;
    const cs = this.scaleOf(row, m);
    const cell = row * this.meters.length + m;
    const big = this.sumBig.get(cell) ?? 0n;
    if (s === cs) this.sumBig.set(cell, big + mant);
    else if (s < cs) this.sumBig.set(cell, big + mant * pow10(cs - s));
    else {
      this.sumBig.set(cell, (big + BigInt(small[row] as number)) * pow10(s - cs) + mant);
      small[row] = 0;
      this.putScale(row, m, s);
    }
  }

  /** Meter m's exact sum in the row. */
  sum(row: number, m: number): Fixed {
    const c = this.cols[m] as MeterColumns;
    if (c.small === undefined) return { m: 0n, s: 0 };
    const big = this.sumBig.get(row * this.meters.length + m);
    const small = c.small[row] as number;
    return { m: big === undefined ? BigInt(small) : big + BigInt(small), s: this.scaleOf(row, m) };
  }

  /** Meter m's max / min / latest scale in the row (−1: no value yet, or no such column). */
  xScale(row: number, m: number): number {
    const v = (this.cols[m] as MeterColumns).xs?.[row] ?? 0;
    return v !== SCALE_ASIDE ? v - 1 : (this.scaleOver.get(row * this.meters.length + m) as number);
  }

  /** Whether meter m holds a max / min / latest value yet (without building it). */
  hasX(row: number, m: number): boolean {
    return ((this.cols[m] as MeterColumns).xs?.[row] ?? 0) !== 0;
  }

  /** Meter m's max / min / latest value (undefined: none yet). */
  x(row: number, m: number): Fixed | undefined {
    const s = this.xScale(row, m);
    if (s < 0) return undefined;
    const v = ((this.cols[m] as MeterColumns).xm as Float64Array | Int32Array)[row] as number;
    return { m: Number.isNaN(v) ? (this.xBig.get(row * this.meters.length + m) as bigint) : BigInt(v), s };
  }

  setX(row: number, m: number, v: Fixed, tsMs: number): void {
    const c = this.cols[m] as MeterColumns;
    const n = Number(v.m);
    const cell = row * this.meters.length + m;
    const narrow = (c.xm as Float64Array | Int32Array).BYTES_PER_ELEMENT === 4;
    if (Number.isSafeInteger(n)) {
      if (narrow && (n | 0) !== n) this.widen(c, 'xm');
      (c.xm as Float64Array | Int32Array)[row] = n;
      if (this.xBig.size > 0) this.xBig.delete(cell);
    } else {
      if (narrow) this.widen(c, 'xm'); // NaN marks the side table: a double
      (c.xm as Float64Array)[row] = Number.NaN;
      this.xBig.set(cell, v.m);
    }
    if (v.s + 1 < SCALE_ASIDE) {
      (c.xs as Uint8Array)[row] = v.s + 1;
      if (this.scaleOver.size > 0) this.scaleOver.delete(cell);
    } else {
      (c.xs as Uint8Array)[row] = SCALE_ASIDE;
      this.scaleOver.set(cell, v.s);
    }
    if (c.xts !== undefined) c.xts[row] = tsMs;
  }

  /** cmp(v, current x) without BigInts when both are safe doubles of one scale. */
  cmpX(row: number, m: number, v: Fixed): number {
    const c = this.cols[m] as MeterColumns;
    const cur = (c.xm as Float64Array | Int32Array)[row] as number;
    // (a scale kept aside is never compared here: its byte is SCALE_ASIDE whatever the scale)
    if (v.s + 1 < SCALE_ASIDE && (c.xs as Uint8Array)[row] === v.s + 1 && !Number.isNaN(cur)) {
      const n = Number(v.m);
      if (Number.isSafeInteger(n)) return n < cur ? -1 : n > cur ? 1 : 0;
    }
    return cmpFixed(v, this.x(row, m) as Fixed);
  }

  /** Formatted sum (snapshots). */
  formatSum(row: number, m: number): string {
    return formatFixed(this.sum(row, m));
  }
}
