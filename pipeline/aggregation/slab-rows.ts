// The rows of a slab (slab.ts): one row per open segment (server × window segment), recycled
// through a free list when its segment is emitted. Here: allocation and growth, the columns
// every mode shares — a row's server, segment, list links and changelog flags, each meter's
// sample count — the cells' source offsets (kept once per row: slab-offsets.ts) and the side
// tables for what does not fit a column. The sums and max / min / latest values: slab.ts.
import type { CompiledMeter } from './accumulator.js';
import { column, grown, tallyColumnBytes, widened } from './slab-columns.js';
import { type Off, RowOffsets } from './slab-offsets.js';

const FIRST_ROWS = 64;
/**
 * A count column holds up to this once widened to 16 bits; the excess goes to the side table (a
 * row rarely counts more). It starts 8-bit (COUNT_NARROW_MAX).
 */
const COUNT_MAX = 0xffff;
const COUNT_NARROW_MAX = 0xff;
/** A scale byte holding this: the scale is in the side table (`scaleOver`). */
export const SCALE_ASIDE = 0xff;
/**
 * Rows a column's address space is reserved for at first (virtual only: pages are committed as
 * rows are used); past it the columns move to a reservation 4× larger, one copy.
 */
const FIRST_RESERVE = 1 << 20;

/** The columns of one meter (undefined: its mode does not use them). */
export interface MeterColumns {
  /**
   * Samples counted; 0 = the meter has no accumulator in this row (one always counts ≥ 1).
   * 8-bit until a row of the meter counts past 255 (a segment of a 1-minute window counts a
   * handful; an hour of 1-second scrapes 3 600): then the column widens to 16 bits, once
   * (widenCount). Beyond 2^16 − 1 the excess is in the side table, exact either way.
   */
  count: Uint8Array | Uint16Array;
  /**
   * sum and value_seconds: the exact sum is (big + small) × 10^-scale; big is in the side table.
   * A scale of 255 or more is in the side table (scaleOf). `small` is 32-bit until a value of
   * the meter needs more: then the whole column widens to doubles, once (see widen()).
   */
  small?: Float64Array | Int32Array;
  scale?: Uint8Array;
  /**
   * max / min / latest: mantissa (NaN = in the side table; 32-bit like `small` until a value
   * needs more, which a NaN does) and 1 + scale (0 = no value yet; 255 = the scale is in the
   * side table: xScale).
   */
  xm?: Float64Array | Int32Array;
  xs?: Uint8Array;
  /** latest: event time of the value. */
  xts?: Float64Array;
}

export class SlabRows {
  readonly cols: MeterColumns[];
  /** Per row: its server's number (the owner's: partition.ts) and segment start. */
  server: Int32Array;
  start: Float64Array;
  /**
   * Per row: its segment's length in ms (end = start + length: endOf). 32-bit until a segment
   * is longer than 2^31 − 1 ms (≈ 24.8 days: a base window of a month), then doubles, once
   * (widenLength). A row's end is rarely read (closing sorts and emits by it), its start on
   * every sample.
   */
  length: Int32Array | Float64Array;
  /** Per row: the next open row of the same server (−1: none) — a list without an array per server. */
  next: Int32Array;
  /** Per row: the next open row with the same end (−1: none) — the partition's rows per end, likewise. */
  sameEnd: Int32Array;
  /** Per row: changelog flags (partition.ts: written since, and kept in, the changelog); 0 when allocated. */
  flags: Uint8Array;
  /** The cells' first and last source offsets: one pair per row, and the exceptions. */
  readonly offsets: RowOffsets;
  protected capacity: number;
  /** Rows the columns' address space is reserved for (grows ×4 past it). */
  protected reserve: number;
  private used = 0;
  private readonly freeRows: number[] = [];
  /** Side tables, keyed by cell = row × meters + meter. */
  readonly sumBig = new Map<number, bigint>();
  readonly xBig = new Map<number, bigint>();
  readonly distinct = new Map<number, Set<string>>();
  readonly countOver = new Map<number, number>();
  /** Scales over 253 (a meter has a sum scale or a value scale, never both: one table). */
  readonly scaleOver = new Map<number, number>();

  constructor(
    readonly meters: readonly CompiledMeter[],
    capacity = FIRST_ROWS,
    /** Rows to reserve address space for at first (tests pass a small one to cross it). */
    firstReserve = FIRST_RESERVE,
  ) {
    this.capacity = capacity;
    const reserve = (this.reserve = capacity > 1 ? Math.max(firstReserve, capacity) : capacity);
    const f64 = (): Float64Array => column(Float64Array, capacity, reserve);
    const u8 = (): Uint8Array => column(Uint8Array, capacity, reserve);
    // Mantissas start 32-bit; a one-row slab (singleState, per sample) starts wide: never widened.
    const mantissas = (): Float64Array | Int32Array => (capacity > 1 ? column(Int32Array, capacity, reserve) : f64());
    this.server = column(Int32Array, capacity, reserve);
    this.start = f64();
    this.length = column(Int32Array, capacity, reserve);
    this.next = column(Int32Array, capacity, reserve);
    this.sameEnd = column(Int32Array, capacity, reserve);
    this.flags = u8();
    this.cols = meters.map((cm) => {
      const c: MeterColumns = { count: column(Uint8Array, capacity, reserve) };
      if (cm.mode === 'sum' || cm.mode === 'value_seconds') {
        c.small = mantissas();
        c.scale = u8();
      }
      if (cm.mode === 'max' || cm.mode === 'min' || cm.mode === 'latest') {
        c.xm = mantissas();
        c.xs = u8();
      }
      if (cm.mode === 'latest') c.xts = f64();
      return c;
    });
    this.offsets = new RowOffsets(this.cols, capacity, reserve, () => this.tally());
    this.tally();
  }

  /** The end of the row's segment (exclusive): both parts are integers below 2^53, so exact. */
  endOf(row: number): number {
    return (this.start[row] as number) + (this.length[row] as number);
  }

  /** The length column as doubles (every row copied, exactly), once per slab; see `length`. */
  private widenLength(): void {
    this.length = widened(this.length, Float64Array, this.capacity, this.reserve);
    this.tally();
  }

  /** Rows in use. */
  get size(): number {
    return this.used - this.freeRows.length;
  }

  /** A row for a new segment of server number `server`, every meter empty. */
  alloc(server: number, startMs: number, endMs: number): number {
    let row = this.freeRows.pop();
    if (row === undefined) {
      if (this.used === this.capacity) this.grow();
      row = this.used++;
    }
    this.server[row] = server;
    this.start[row] = startMs;
    const length = endMs - startMs;
    if ((length | 0) !== length && this.length.BYTES_PER_ELEMENT === 4) this.widenLength();
    this.length[row] = length;
    this.next[row] = -1;
    this.sameEnd[row] = -1;
    this.flags[row] = 0;
    return row;
  }

  /** Returns a row to the free list (after its segment was emitted or dropped). */
  free(row: number): void {
    const n = this.meters.length;
    for (const c of this.cols) c.count[row] = 0;
    this.offsets.clear(row);
    if (this.sumBig.size + this.xBig.size + this.scaleOver.size + this.distinct.size + this.countOver.size > 0) {
      for (let i = row * n; i < row * n + n; i++) {
        this.sumBig.delete(i);
        this.xBig.delete(i);
        this.scaleOver.delete(i);
        this.distinct.delete(i);
        this.countOver.delete(i);
      }
    }
    this.freeRows.push(row);
  }

  /**
   * Grows by half. The columns grow in place (resizable buffers: no copy, no old copy left for
   * the GC, and the pages past the rows in use are reserved, not resident), so the factor costs
   * address space only; past the reservation they move once into one 4× larger.
   */
  private grow(): void {
    const cap = Math.max(FIRST_ROWS, Math.ceil(this.capacity * 1.5));
    if (cap > this.reserve) this.reserve = Math.max(cap, this.reserve * 4);
    const r = this.reserve;
    this.server = grown(this.server, cap, r);
    this.start = grown(this.start, cap, r);
    this.length = grown(this.length, cap, r);
    this.next = grown(this.next, cap, r);
    this.sameEnd = grown(this.sameEnd, cap, r);
    this.flags = grown(this.flags, cap, r);
    this.offsets.grow(cap, r);
    for (const c of this.cols) {
      c.count = grown(c.count, cap, r);
      if (c.small) c.small = grown(c.small, cap, r);
      if (c.scale) c.scale = grown(c.scale, cap, r);
      if (c.xm) c.xm = grown(c.xm, cap, r);
      if (c.xs) c.xs = grown(c.xs, cap, r);
      if (c.xts) c.xts = grown(c.xts, cap, r);
    }
    this.capacity = cap;
    this.tally();
  }

  /** This slab's column bytes (rows up to capacity), added to the module's total. */
  private bytes = 0;
  protected tally(): void {
    let b = this.server.byteLength + this.start.byteLength + this.length.byteLength + this.next.byteLength + this.sameEnd.byteLength + this.flags.byteLength + this.offsets.bytes();
    for (const c of this.cols) {
      for (const col of [c.count, c.small, c.scale, c.xm, c.xs, c.xts]) b += col?.byteLength ?? 0;
    }
    tallyColumnBytes(b - this.bytes);
    this.bytes = b;
  }

  /** Whether meter m has an accumulator in the row. */
  has(row: number, m: number): boolean {
    return (this.cols[m] as MeterColumns).count[row] !== 0;
  }

  /** Samples counted by meter m in the row. */
  count(row: number, m: number): number {
    const n = (this.cols[m] as MeterColumns).count[row] as number;
    return this.countOver.size === 0 ? n : n + (this.countOver.get(row * this.meters.length + m) ?? 0);
  }

  incCount(row: number, m: number): void {
    const cols = this.cols[m] as MeterColumns;
    const n = cols.count[row] as number;
    if (n < COUNT_NARROW_MAX || (n < COUNT_MAX && cols.count.BYTES_PER_ELEMENT === 2)) cols.count[row] = n + 1;
    else if (n < COUNT_MAX) this.widenCount(cols)[row] = n + 1;
    else {
      // keep 1 in the column (≥ 1 marks the cell as used) and the rest aside
      const cell = row * this.meters.length + m;
      this.countOver.set(cell, (this.countOver.get(cell) ?? 0) + n - 1);
      cols.count[row] = 2;
    }
  }

  setCount(row: number, m: number, n: number): void {
    const cols = this.cols[m] as MeterColumns;
    const c = n > COUNT_NARROW_MAX && cols.count.BYTES_PER_ELEMENT === 1 ? this.widenCount(cols) : cols.count;
    if (n <= COUNT_MAX) c[row] = n;
    else {
      c[row] = 1;
      this.countOver.set(row * this.meters.length + m, n - 1);
    }
  }

  /**
   * An 8-bit count column as 16 bits (every row copied), once per meter and slab: a meter whose
   * rows count past 255 samples (long windows, frequent scrapes) costs 2 bytes per row, the
   * others 1.
   */
  private widenCount(c: MeterColumns): Uint16Array {
    const wide = widened(c.count, Uint16Array, this.capacity, this.reserve);
    c.count = wide;
    this.tally();
    return wide;
  }

  /** Starts meter m's accumulator in the row: empty (its offsets come with stamp or setOffsets). */
  openCell(row: number, m: number): void {
    const c = this.cols[m] as MeterColumns;
    if (c.small !== undefined) {
      c.small[row] = 0;
      (c.scale as Uint8Array)[row] = 0;
    }
    if (c.xs !== undefined) c.xs[row] = 0;
    if (c.xts !== undefined) c.xts[row] = 0;
  }

  /**
   * Meter m is fed by the sample being added to the row (before addTo): opens its cell if it
   * has none. stamp() then records the sample's offset for every meter fed.
   */
  enter(row: number, m: number): void {
    const opened = (this.cols[m] as MeterColumns).count[row] === 0;
    if (opened) this.openCell(row, m);
    this.offsets.feed(m, opened);
  }

  /** Ends a sample fed to the row through enter(): its offset (NaN: no short decimal; `text`). */
  stamp(row: number, offset: number, text: string): void {
    this.offsets.stamp(row, offset, text);
  }

  /** Meter m's first and last source offsets in the row (a restore: set its count first). */
  setOffsets(row: number, m: number, first: Off, last: Off): void {
    this.offsets.set(row, m, first, last);
  }

  /** The first (or last) offset of meter m in the row, as its text. */
  offset(row: number, m: number, last: boolean): string {
    return this.offsets.text(row, m, last);
  }
}
