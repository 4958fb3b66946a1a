// The accumulators of a partition's open segments, laid out as a slab: one row per segment
// (server × window segment) and, per meter, typed-array columns holding only what its mode
// needs. An object per accumulator (count, a running sum object, boxed doubles, BigInts, Map
// entries) cost ≈ 1.2 KB per segment of the example catalogue; a row costs a few hundred bytes
// and no garbage. Exactness is kept by construction: a column holds a double only while it is a
// safe integer (an exact mantissa); what does not fit — a sum whose mantissa left the safe range,
// a value over 2^53, an offset that is not a short decimal, `unique` sets — goes to a side table
// keyed by cell (row × meters + meter), which is empty in the common case. Rows are recycled
// through a free list when their segment is emitted.
import type { CompiledMeter } from './accumulator.js';
import { cmpFixed, type Fixed, formatFixed, pow10 } from './fixed.js';

/** 10^k as doubles, exact for k ≤ 22. */
const POW10_NUMBER = Array.from({ length: 23 }, (_, k) => 10 ** k);
const FIRST_ROWS = 64;
const OFF_TEXT = -0x80000000;
/** A count column holds up to this; the excess goes to the side table (a row rarely counts more). */
const COUNT_MAX = 0xffff;
/**
 * Rows a column's address space is reserved for at first (virtual only: pages are committed as
 * rows are used); past it the columns move to a reservation 4× larger, one copy.
 */
const FIRST_RESERVE = 1 << 20;

type Column = Float64Array | Int32Array | Uint16Array;
type ColumnType = Float64ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor;
/** ES2024's resizable ArrayBuffer (Node ≥ 20; the project's lib is ES2023). */
interface ResizableBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/**
 * Bytes of slab columns allocated in this process, never decreasing (a FinalizationRegistry to
 * subtract collected slabs crashed node 20 with resizable buffers: SIGSEGV in 2 of 10 runs of
 * the property tests, none in 32 without it). Resizable buffers are not in V8's
 * process.memoryUsage().arrayBuffers, so the memory bench adds the growth of this total.
 */
let columnBytes = 0;
export const slabColumnBytes = (): number => columnBytes;

/**
 * A column of `rows` rows whose storage can later grow in place: a length-tracking view of a
 * resizable buffer. Growing a plain typed array copies it, and the old copy stays resident until
 * a full GC frees it — at a million rows a transient the size of the whole slab, at the peak.
 * A one-row slab (singleState) takes a plain array: it never grows, and reserving costs ≈ 30 µs.
 */
function column<C extends ColumnType>(type: C, rows: number, reserve: number): InstanceType<C> {
  if (reserve <= rows) return new type(rows) as InstanceType<C>;
  const buf = new Resizable(rows * type.BYTES_PER_ELEMENT, { maxByteLength: reserve * type.BYTES_PER_ELEMENT });
  return new type(buf) as InstanceType<C>;
}

/** Grows a column to `rows`: in place within its reservation, else into a new one (copied). */
function grown<C extends Column>(col: C, rows: number, reserve: number): C {
  const buf = col.buffer as ResizableBuffer;
  const bytes = rows * col.BYTES_PER_ELEMENT;
  if (buf.resizable && bytes <= buf.maxByteLength) {
    buf.resize(bytes);
    return col;
  }
  const type = col.constructor as ColumnType;
  const next = column(type, rows, reserve) as C;
  next.set(col as never);
  return next;
}

/** The columns of one meter (undefined: its mode does not use them). */
export interface MeterColumns {
  /**
   * Samples counted; 0 = the meter has no accumulator in this row (one always counts ≥ 1).
   * Beyond 2^16 − 1 the excess is in the side table (a segment of a 1-minute window counts a
   * handful; an hour of 1-second scrapes 3 600), exact either way.
   */
  count: Uint16Array;
  /**
   * First / last source offset, as the difference to the row's base offset (offsets of one
   * segment are close); OFF_TEXT = in the side table (no short canonical decimal, or too far).
   */
  first: Int32Array;
  last: Int32Array;
  /** sum and value_seconds: the exact sum is (big + small) × 10^-scale; big is in the side table. */
  small?: Float64Array;
  scale?: Int32Array;
  /** max / min / latest: mantissa (NaN = in the side table) and scale (−1 = no value yet). */
  xm?: Float64Array;
  xs?: Int32Array;
  /** latest: event time of the value. */
  xts?: Float64Array;
}

/** A source offset as a double when its text is the canonical decimal of a safe integer, else NaN. */
export function offsetNumber(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(0) === 48)) return Number.NaN;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  return Number(text);
}

export class Slab {
  readonly cols: MeterColumns[];
  /** Per row: server id (undefined = free), segment start and end. */
  server: Array<string | undefined> = [];
  start: Float64Array;
  end: Float64Array;
  /** Per row: the offset the meters' offsets are stored relative to (NaN until one is known). */
  base: Float64Array;
  /** Per row: the next open row of the same server (−1: none) — a list without an array per server. */
  next: Int32Array;
  /** Per row: the next open row with the same end (−1: none) — the partition's rows per end, likewise. */
  sameEnd: Int32Array;
  private capacity: number;
  /** Rows the columns' address space is reserved for (grows ×4 past it). */
  private reserve: number;
  private used = 0;
  private readonly freeRows: number[] = [];
  /** Side tables, keyed by cell = row × meters + meter (offsets: cell × 2, + 1 for the last). */
  readonly sumBig = new Map<number, bigint>();
  readonly xBig = new Map<number, bigint>();
  readonly offsets = new Map<number, string>();
  readonly distinct = new Map<number, Set<string>>();
  readonly countOver = new Map<number, number>();

  constructor(
    readonly meters: readonly CompiledMeter[],
    capacity = FIRST_ROWS,
    /** Rows to reserve address space for at first (tests pass a small one to cross it). */
    firstReserve = FIRST_RESERVE,
  ) {
    this.capacity = capacity;
    const reserve = (this.reserve = capacity > 1 ? Math.max(firstReserve, capacity) : capacity);
    const f64 = (): Float64Array => column(Float64Array, capacity, reserve);
    const i32 = (): Int32Array => column(Int32Array, capacity, reserve);
    this.start = f64();
    this.end = f64();
    this.base = f64();
    this.next = i32();
    this.sameEnd = i32();
    this.cols = meters.map((cm) => {
      const c: MeterColumns = { count: column(Uint16Array, capacity, reserve), first: i32(), last: i32() };
      if (cm.mode === 'sum' || cm.mode === 'value_seconds') {
        c.small = f64();
        c.scale = i32();
      }
      if (cm.mode === 'max' || cm.mode === 'min' || cm.mode === 'latest') {
        c.xm = f64();
        c.xs = i32();
      }
      if (cm.mode === 'latest') c.xts = f64();
      return c;
    });
    this.tally();
  }

  /** Rows in use. */
  get size(): number {
    return this.used - this.freeRows.length;
  }

  /** A row for a new segment, every meter empty. */
  alloc(serverId: string, startMs: number, endMs: number): number {
    let row = this.freeRows.pop();
    if (row === undefined) {
      if (this.used === this.capacity) this.grow();
      row = this.used++;
    }
    this.server[row] = serverId;
    this.start[row] = startMs;
    this.end[row] = endMs;
    this.base[row] = Number.NaN;
    this.next[row] = -1;
    this.sameEnd[row] = -1;
    return row;
  }

  /** Returns a row to the free list (after its segment was emitted or dropped). */
  free(row: number): void {
    const n = this.meters.length;
    for (const c of this.cols) c.count[row] = 0;
    if (this.sumBig.size + this.xBig.size + this.offsets.size + this.distinct.size + this.countOver.size > 0) {
      for (let i = row * n; i < row * n + n; i++) {
        this.sumBig.delete(i);
        this.xBig.delete(i);
        this.offsets.delete(2 * i);
        this.offsets.delete(2 * i + 1);
        this.distinct.delete(i);
        this.countOver.delete(i);
      }
    }
    this.server[row] = undefined;
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
    this.start = grown(this.start, cap, r);
    this.end = grown(this.end, cap, r);
    this.base = grown(this.base, cap, r);
    this.next = grown(this.next, cap, r);
    this.sameEnd = grown(this.sameEnd, cap, r);
    for (const c of this.cols) {
      c.count = grown(c.count, cap, r);
      c.first = grown(c.first, cap, r);
      c.last = grown(c.last, cap, r);
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
  private tally(): void {
    let b = this.start.byteLength + this.end.byteLength + this.base.byteLength + this.next.byteLength + this.sameEnd.byteLength;
    for (const c of this.cols) {
      for (const col of [c.count, c.first, c.last, c.small, c.scale, c.xm, c.xs, c.xts]) b += col?.byteLength ?? 0;
    }
    columnBytes += b - this.bytes;
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
    const c = (this.cols[m] as MeterColumns).count;
    const n = c[row] as number;
    if (n < COUNT_MAX) c[row] = n + 1;
    else {
      // keep 1 in the column (≥ 1 marks the cell as used) and the rest aside
      const cell = row * this.meters.length + m;
      this.countOver.set(cell, (this.countOver.get(cell) ?? 0) + n - 1);
      c[row] = 2;
    }
  }

  setCount(row: number, m: number, n: number): void {
    const c = (this.cols[m] as MeterColumns).count;
    if (n <= COUNT_MAX) c[row] = n;
    else {
      c[row] = 1;
      this.countOver.set(row * this.meters.length + m, n - 1);
    }
  }

  /** Starts meter m's accumulator in the row (empty, first offset set). */
  open(row: number, m: number, offset: number, offsetText: string): void {
    const c = this.cols[m] as MeterColumns;
    if (Number.isNaN(this.base[row])) this.base[row] = offset;
    this.putOffset(c.first, row, 2 * (row * this.meters.length + m), offset, offsetText);
    if (c.small !== undefined) {
      c.small[row] = 0;
      (c.scale as Int32Array)[row] = 0;
    }
    if (c.xs !== undefined) (c.xs as Int32Array)[row] = -1;
    if (c.xts !== undefined) c.xts[row] = 0;
  }

  setLast(row: number, m: number, offset: number, offsetText: string): void {
    this.putOffset((this.cols[m] as MeterColumns).last, row, 2 * (row * this.meters.length + m) + 1, offset, offsetText);
  }

  private putOffset(col: Int32Array, row: number, key: number, offset: number, text: string): void {
    const d = offset - (this.base[row] as number); // NaN when either is not a number
    if (d >= -0x7fffffff && d <= 0x7fffffff) {
      col[row] = d;
      if (this.offsets.size > 0) this.offsets.delete(key);
    } else {
      col[row] = OFF_TEXT;
      this.offsets.set(key, text);
    }
  }

  /** The first (or last) offset of meter m in the row, as its text. */
  offset(row: number, m: number, last: boolean): string {
    const c = this.cols[m] as MeterColumns;
    const v = (last ? c.last : c.first)[row] as number;
    return v === OFF_TEXT ? (this.offsets.get(2 * (row * this.meters.length + m) + (last ? 1 : 0)) as string) : String((this.base[row] as number) + v);
  }

  /**
   * Adds the safe integer n × 10^-s to meter m's sum without a BigInt while the running double
   * stays a safe integer (a rounded double never is one, so Number.isSafeInteger proves
   * exactness); otherwise through the side table's BigInt.
   */
  addSmall(row: number, m: number, n: number, s: number): void {
    const c = this.cols[m] as MeterColumns;
    const small = c.small as Float64Array;
    const scale = c.scale as Int32Array;
    const cs = scale[row] as number;
    if (s < cs) {
      const k = cs - s < POW10_NUMBER.length ? n * (POW10_NUMBER[cs - s] as number) : Number.NaN;
      if (!Number.isSafeInteger(k)) return this.addBig(row, m, BigInt(n), s);
      n = k;
    } else if (s > cs) {
      // Rescale the running double up when that is exact and nothing is in the BigInt part.
      const cell = row * this.meters.length + m;
      const r = s - cs < POW10_NUMBER.length ? (small[row] as number) * (POW10_NUMBER[s - cs] as number) : Number.NaN;
      if (!Number.isSafeInteger(r) || this.sumBig.has(cell)) return this.addBig(row, m, BigInt(n), s);
      small[row] = r;
      scale[row] = s;
    }
    const t = (small[row] as number) + n;
    if (Number.isSafeInteger(t)) small[row] = t;
    else {
      const cell = row * this.meters.length + m;
      this.sumBig.set(cell, (this.sumBig.get(cell) ?? 0n) + BigInt(small[row] as number));
      small[row] = n;
    }
  }

  /** Adds mant × 10^-s to meter m's sum (any size). */
  addBig(row: number, m: number, mant: bigint, s: number): void {
    const c = this.cols[m] as MeterColumns;
    const small = c.small as Float64Array;
    const scale = c.scale as Int32Array;
    const cs = scale[row] as number;
    const cell = row * this.meters.length + m;
    const big = this.sumBig.get(cell) ?? 0n;
    if (s === cs) this.sumBig.set(cell, big + mant);
    else if (s < cs) this.sumBig.set(cell, big + mant * pow10(cs - s));
    else {
      this.sumBig.set(cell, (big + BigInt(small[row] as number)) * pow10(s - cs) + mant);
      small[row] = 0;
      scale[row] = s;
    }
  }

  /** Meter m's exact sum in the row. */
  sum(row: number, m: number): Fixed {
    const c = this.cols[m] as MeterColumns;
    if (c.small === undefined) return { m: 0n, s: 0 };
    const big = this.sumBig.get(row * this.meters.length + m);
    const small = c.small[row] as number;
    return { m: big === undefined ? BigInt(small) : big + BigInt(small), s: (c.scale as Int32Array)[row] as number };
  }

  /** Whether meter m holds a max / min / latest value yet (without building it). */
  hasX(row: number, m: number): boolean {
    return ((this.cols[m] as MeterColumns).xs?.[row] ?? -1) >= 0;
  }

  /** Meter m's max / min / latest value (undefined: none yet). */
  x(row: number, m: number): Fixed | undefined {
    const c = this.cols[m] as MeterColumns;
    const s = c.xs?.[row] ?? -1;
    if (s < 0) return undefined;
    const v = (c.xm as Float64Array)[row] as number;
    return { m: Number.isNaN(v) ? (this.xBig.get(row * this.meters.length + m) as bigint) : BigInt(v), s };
  }

  setX(row: number, m: number, v: Fixed, tsMs: number): void {
    const c = this.cols[m] as MeterColumns;
    const n = Number(v.m);
    const cell = row * this.meters.length + m;
    if (Number.isSafeInteger(n)) {
      (c.xm as Float64Array)[row] = n;
      if (this.xBig.size > 0) this.xBig.delete(cell);
    } else {
      (c.xm as Float64Array)[row] = Number.NaN;
      this.xBig.set(cell, v.m);
    }
    (c.xs as Int32Array)[row] = v.s;
    if (c.xts !== undefined) c.xts[row] = tsMs;
  }

  /** cmp(v, current x) without BigInts when both are safe doubles of one scale. */
  cmpX(row: number, m: number, v: Fixed): number {
    const c = this.cols[m] as MeterColumns;
    const cur = (c.xm as Float64Array)[row] as number;
    if ((c.xs as Int32Array)[row] === v.s && !Number.isNaN(cur)) {
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
