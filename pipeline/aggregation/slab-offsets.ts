// The source offsets of a slab's cells (slab.ts): per cell (row × meter) the first and last
// offset of the samples it counted, the lineage of its rollup part. Whenever a sample feeds every
// meter of its row they are the same for all of the row's meters, so a row keeps one pair (its
// first offset as a double, its last as a 32-bit difference: 12 bytes) and a cell whose pair
// differs — fed by a sample carrying only some metrics, skipped by a counter reading not newer
// than its series, opened by a later sample — keeps its own pair in a side table, with the row
// marked mixed. Per meter that is 8 bytes per row fewer (two 32-bit offsets) at one byte per row.
// The row's first offset is itself held as a 32-bit difference from the first offset the slab
// ever stored (its base: the offsets of one partition's open rows lie within minutes of each
// other), until one does not fit: then the column turns into doubles, once (widen). 9 bytes per
// row instead of 13.
//
// Which pair is the row's is a representation choice, never visible: after each change it is
// the pair most of the row's cells hold (ties: the lowest meter's), so a divergence heals as
// soon as the cells agree again (a late sample skipped by a counter, then one feeding all).
import { column, grown } from './slab-columns.js';

/** A source offset: its value when its text is the canonical decimal of a safe integer, else the text. */
export type Off = number | string;

/** Marks a row's last offset (or a first one) held in the side table. */
const ASIDE = -0x80000000;

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

/** An offset's text as an Off (so that two offsets are equal exactly when their texts are). */
export function offOf(text: string): Off {
  const n = offsetNumber(text);
  return Number.isNaN(n) ? text : n;
}

const offText = (o: Off): string => (typeof o === 'string' ? o : String(o));

export class RowOffsets {
  /**
   * Per row: its first offset less `base` while 32-bit (ASIDE: a text, in `aside` under 2 × row);
   * once widened, the offset itself (NaN: a text).
   */
  first: Int32Array | Float64Array;
  /** What a 32-bit `first` is relative to: the first numeric offset stored (NaN: none yet). */
  private base = Number.NaN;
  private capacity: number;
  private reserve: number;
  /** Per row: its last offset less the first (ASIDE: in `aside` under 2 × row + 1). */
  last: Int32Array;
  /** Per row: 1 when some of its cells keep their own pair in `own`. */
  mixed: Uint8Array;
  /** Row pairs the columns cannot hold (a text, a difference over 31 bits): 2 × row (+ 1: last). */
  readonly aside = new Map<number, Off>();
  /** Cells' own pairs in mixed rows: 2 × cell (+ 1: last), cell = row × meters + meter. */
  readonly own = new Map<number, Off>();
  private readonly n: number;
  /** The sample being added: per meter 0, 1 = fed, 2 = fed and opened by it. */
  private readonly fed: Uint8Array;
  private nFed = 0;
  private nOpened = 0;
  /** Scratch pairs per meter for the general case (undefined: the meter has no cell in the row). */
  private readonly fs: Array<Off | undefined>;
  private readonly ls: Array<Off | undefined>;

  constructor(
    /** The slab's per-meter columns: a cell exists while its count is not 0. */
    private readonly cells: readonly { count: Uint8Array | Uint16Array }[],
    capacity: number,
    reserve: number,
    /** Called when a column changes width (the slab's byte tally). */
    private readonly widened: () => void = () => undefined,
  ) {
    this.n = cells.length;
    this.capacity = capacity;
    this.reserve = reserve;
    this.first = column(Int32Array, capacity, reserve);
    this.last = column(Int32Array, capacity, reserve);
    this.mixed = column(Uint8Array, capacity, reserve);
    this.fed = new Uint8Array(this.n);
    this.fs = new Array<Off | undefined>(this.n).fill(undefined);
    this.ls = new Array<Off | undefined>(this.n).fill(undefined);
  }

  grow(rows: number, reserve: number): void {
    this.capacity = rows;
    this.reserve = reserve;
    this.first = grown(this.first, rows, reserve);
    this.last = grown(this.last, rows, reserve);
    this.mixed = grown(this.mixed, rows, reserve);
  }

  bytes(): number {
    return this.first.byteLength + this.last.byteLength + this.mixed.byteLength;
  }

  /** Forgets a row's offsets (it is freed). */
  clear(row: number): void {
    if (this.mixed[row] !== 0) {
      for (let k = 2 * row * this.n; k < 2 * (row + 1) * this.n; k++) this.own.delete(k);
      this.mixed[row] = 0;
    }
    if (this.aside.size > 0) {
      this.aside.delete(2 * row);
      this.aside.delete(2 * row + 1);
    }
  }

  /** Meter m is fed by the sample being added (opened: its cell is new); stamp() ends the sample. */
  feed(m: number, opened: boolean): void {
    this.fed[m] = opened ? 2 : 1;
    this.nFed++;
    if (opened) this.nOpened++;
  }

  /**
   * The sample fed to `row` (through feed()) had this offset (NaN: no short decimal; `text`).
   * The common cases touch the row's columns only: every cell of the row fed, none new (its
   * last moves), or every cell new (the row's first sample).
   */
  stamp(row: number, offset: number, text: string): void {
    const o: Off = Number.isNaN(offset) ? text : offset;
    if (this.mixed[row] === 0 && this.nFed === this.cellsIn(row)) {
      if (this.nOpened === 0) this.putLast(row, o);
      else if (this.nOpened === this.nFed) this.putPair(row, o, o);
      else this.stampMixed(row, o);
    } else this.stampMixed(row, o);
    this.fed.fill(0);
    this.nFed = 0;
    this.nOpened = 0;
  }

  /** Sets meter m's pair (a restore; its count is set already). */
  set(row: number, m: number, first: Off, last: Off): void {
    if (this.mixed[row] === 0) {
      const others = this.cellsIn(row) - (this.has(row, m) ? 1 : 0);
      if (others === 0) return this.putPair(row, first, last);
      if (this.rowFirst(row) === first && this.rowLast(row) === last) return;
    }
    for (let j = 0; j < this.n; j++) {
      if (j === m) {
        this.fs[j] = first;
        this.ls[j] = last;
      } else this.current(row, j);
    }
    this.settle(row);
  }

  /** The first (or last) offset of meter m's cell in the row, as its text. */
  text(row: number, m: number, last: boolean): string {
    return offText(this.off(row, m, last));
  }

  /** The first (or last) offset of meter m's cell in the row, as held: a double, or a text. */
  off(row: number, m: number, last: boolean): Off {
    if (this.mixed[row] !== 0) {
      const o = this.own.get(2 * (row * this.n + m) + (last ? 1 : 0));
      if (o !== undefined) return o;
    }
    return last ? this.rowLast(row) : this.rowFirst(row);
  }

  private has(row: number, m: number): boolean {
    return (this.cells[m] as { count: Uint8Array | Uint16Array }).count[row] !== 0;
  }

  private cellsIn(row: number): number {
    let k = 0;
    for (let j = 0; j < this.n; j++) if (this.has(row, j)) k++;
    return k;
  }

  /** The row's first offset as a number (NaN: it is a text, in `aside`). */
  private firstNumber(row: number): number {
    const f = this.first[row] as number;
    if (this.first.BYTES_PER_ELEMENT === 8) return f;
    return f === ASIDE ? Number.NaN : this.base + f;
  }

  private rowFirst(row: number): Off {
    const f = this.firstNumber(row);
    return Number.isNaN(f) ? (this.aside.get(2 * row) as Off) : f;
  }

  private rowLast(row: number): Off {
    const d = this.last[row] as number;
    return d === ASIDE ? (this.aside.get(2 * row + 1) as Off) : this.firstNumber(row) + d;
  }

  private putPair(row: number, first: Off, last: Off): void {
    const narrow = this.first.BYTES_PER_ELEMENT === 4;
    if (typeof first === 'number') {
      if (narrow && Number.isNaN(this.base)) this.base = first;
      const d = first - this.base;
      if (!narrow) this.first[row] = first;
      else if (d > ASIDE && d <= 0x7fffffff) this.first[row] = d;
      else this.widen()[row] = first;
      if (this.aside.size > 0) this.aside.delete(2 * row);
    } else {
      this.first[row] = narrow ? ASIDE : Number.NaN;
      this.aside.set(2 * row, first);
    }
    this.putLast(row, last);
  }

  /**
   * The 32-bit first offsets as doubles (every row copied, exactly: base + difference is an
   * integer below 2^53), once per slab, when an offset lies 2^31 or more from the base — after
   * billions of records on one partition, or a restore of rows far apart.
   */
  private widen(): Float64Array {
    const narrow = this.first as Int32Array;
    const wide = column(Float64Array, this.capacity, this.reserve);
    for (let row = 0; row < this.capacity; row++) {
      const f = narrow[row] as number;
      wide[row] = f === ASIDE ? Number.NaN : this.base + f;
    }
    this.first = wide;
    this.widened();
    return wide;
  }

  private putLast(row: number, last: Off): void {
    const d = typeof last === 'number' ? last - this.firstNumber(row) : Number.NaN; // NaN: a text first
    if (d >= -0x7fffffff && d <= 0x7fffffff) {
      this.last[row] = d;
      if (this.aside.size > 0) this.aside.delete(2 * row + 1);
    } else {
      this.last[row] = ASIDE;
      this.aside.set(2 * row + 1, last);
    }
  }

  /** Loads meter j's current pair into the scratch (undefined: no cell). */
  private current(row: number, j: number): void {
    if (!this.has(row, j)) {
      this.fs[j] = undefined;
      return;
    }
    const key = 2 * (row * this.n + j);
    const own = this.mixed[row] !== 0 ? this.own.get(key) : undefined;
    this.fs[j] = own ?? this.rowFirst(row);
    this.ls[j] = own === undefined ? this.rowLast(row) : (this.own.get(key + 1) as Off);
  }

  /** The general case of stamp(): each cell's new pair, then settle(). */
  private stampMixed(row: number, o: Off): void {
    for (let j = 0; j < this.n; j++) {
      const fed = this.fed[j] as number;
      if (fed === 2) {
        this.fs[j] = o;
        this.ls[j] = o;
      } else {
        this.current(row, j);
        if (fed === 1) this.ls[j] = o;
      }
    }
    this.settle(row);
  }

  /** Stores the scratch pairs: the most common one as the row's, the others as cells' own. */
  private settle(row: number): void {
    const { fs, ls, n } = this;
    let best = -1;
    let bestN = 0;
    for (let j = 0; j < n; j++) {
      if (fs[j] === undefined) continue;
      let k = 0;
      for (let i = j; i < n; i++) if (fs[i] === fs[j] && ls[i] === ls[j]) k++;
      if (k > bestN) {
        best = j;
        bestN = k;
      }
    }
    if (best < 0) return;
    const f = fs[best] as Off;
    const l = ls[best] as Off;
    this.putPair(row, f, l);
    let mixed = 0;
    for (let j = 0; j < n; j++) {
      if (fs[j] === undefined) continue;
      const key = 2 * (row * n + j);
      if (fs[j] === f && ls[j] === l) {
        if (this.own.size > 0) {
          this.own.delete(key);
          this.own.delete(key + 1);
        }
      } else {
        this.own.set(key, fs[j] as Off);
        this.own.set(key + 1, ls[j] as Off);
        mixed = 1;
      }
      fs[j] = undefined;
      ls[j] = undefined;
    }
    this.mixed[row] = mixed;
  }
}
