// A RollupPart record's Avro body (avro/rollup-part.avsc, the current version) written straight
// as its COPY text row (sinks/copy-rows.ts) into a byte buffer: no avsc record, no RollupPart,
// no per-field strings. Pure; no I/O.
//
// Why: the sink spent most of its Node CPU between the Avro bytes and the COPY row (avsc's
// decode, the part object, ~20 field strings per row, and the GC of all of them while a batch
// was held), and only the COPY row's bytes are needed. The writer declines (returns false,
// nothing written) whatever it does not handle exactly like the general path — a non-ASCII
// byte in a string (UTF-8 repair is avsc's), a long avsc would refuse as unsafe, an instant
// toISOString cannot write, a truncated body or trailing bytes, a union index or boolean byte
// out of range, an array block in the size-prefixed form — and the caller then takes the
// general path (avsc + recordToRollup + copyRow), which gives the same row or its own error.
// test/sinks/rollup-line.test.ts proves the bytes equal to that path over generated parts.

/** Date#toISOString writes the plain `YYYY-MM-DDTHH:mm:ss.sssZ` form for these instants only. */
const ISO_MAX = 253402300799999;

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

const T = 0x74; // 't'
const F = 0x66; // 'f'
const N = 0x4e; // 'N' of \N

/**
 * Upper bound of a row's bytes for a body of `bodyLength` (every body byte becomes at most four:
 * a backslash in a distinct value; the three instants, the count and the partition add at most
 * 24 × 3 + 20 + 11, separators and NULLs the rest) plus its origin columns (`originPrefix` and
 * an offset of at most 20 digits).
 */
export const maxRowBytes = (bodyLength: number, prefixLength: number): number => 4 * bodyLength + 256 + prefixLength + 21;

/** ISO instants of window bounds repeat across a batch: kept as bytes, bounded. */
const isoSeen = new Map<number, Buffer>();
function isoBytes(ms: number): Buffer {
  let b = isoSeen.get(ms);
  if (b === undefined) {
    if (isoSeen.size >= 4096) isoSeen.clear();
    b = Buffer.from(new Date(ms).toISOString(), 'latin1');
    isoSeen.set(ms, b);
  }
  return b;
}

/**
 * Writes rows into `out` from `pos`; after a successful `write`, `pos` is the end of the row.
 * One instance per COPY stream (it keeps the read/write cursors as fields: no closures per row).
 */
export class RollupLineWriter {
  out: Buffer;
  pos = 0;
  private src: Buffer = Buffer.alloc(0);
  private p = 0;
  private end = 0;
  private bad = false;

  constructor(out: Buffer) {
    this.out = out;
  }

  /**
   * Appends the row of the Avro body `src[start, end)`, its origin columns (`prefix`, see
   * `originPrefix`, then `offset`) and its newline; the caller made room for `maxRowBytes`.
   * False: declined, `pos` unchanged.
   */
  write(src: Buffer, start: number, end: number, prefix: Buffer, offset: string): boolean {
    const begin = this.pos;
    this.src = src;
    this.p = start;
    this.end = end;
    this.bad = false;
    this.row();
    if (this.bad || this.p !== end) {
      this.pos = begin;
      return false;
    }
    this.bytes(prefix);
    this.ascii(offset);
    this.byte(NL);
    // Writes past the buffer's end are dropped silently: a row that did not fit (a caller that
    // reserved less than maxRowBytes) is declined, never sent cut short.
    if (this.pos > this.out.length) {
      this.pos = begin;
      return false;
    }
    return true;
  }

  private row(): void {
    this.str(false); // part_id
    this.sep();
    this.str(false); // server_id
    this.sep();
    this.str(false); // meter
    this.sep();
    this.instant(); // window_start
    this.sep();
    this.instant(); // window_end
    this.sep();
    const b = this.src[this.p++];
    if (b !== 0 && b !== 1) return this.fail();
    this.byte(b === 1 ? T : F); // correction
    this.sep();
    this.count();
    this.sep();
    this.str(false); // sum
    for (let i = 0; i < 3 && !this.bad; i++) {
      // max, min, latest
      if (this.union()) {
        this.sep();
        this.str(false);
      }
    }
    if (this.union()) {
      this.sep();
      this.instant(); // latest_ts
    }
    if (this.union()) {
      this.sep();
      this.distinct();
    }
    if (this.union()) {
      this.sep();
      this.str(false); // source topic
      this.sep();
      const partition = this.long();
      if (partition !== (partition | 0)) return this.fail();
      this.ascii(String(partition));
      this.sep();
      this.str(false); // first_offset
      this.sep();
      this.str(false); // last_offset
    } else {
      for (let i = 0; i < 3; i++) this.nullField();
    }
  }

  private fail(): void {
    this.bad = true;
  }

  private byte(c: number): void {
    this.out[this.pos++] = c;
  }

  private sep(): void {
    this.out[this.pos++] = TAB;
  }

  private nullField(): void {
    const out = this.out;
    out[this.pos] = TAB;
    out[this.pos + 1] = BACKSLASH;
    out[this.pos + 2] = N;
    this.pos += 3;
  }

  /** Small copies byte by byte: Buffer#copy's call costs more than the bytes (profiled). */
  private bytes(b: Buffer): void {
    const out = this.out;
    let o = this.pos;
    for (let i = 0; i < b.length; i++) out[o++] = b[i] as number;
    this.pos = o;
  }

  private ascii(s: string): void {
    const out = this.out;
    let o = this.pos;
    for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
    this.pos = o;
  }

  /** An Avro long (zig-zag varint) as a number; NaN (and declined) past avsc's safe range or the body. */
  private long(): number {
    const src = this.src;
    let p = this.p;
    let n = 0;
    let mul = 1;
    for (;;) {
      if (p >= this.end || mul > 2 ** 49) {
        this.bad = true;
        return NaN;
      }
      const b = src[p++] as number;
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    this.p = p;
    // Below 2^53 the sum is exact; at or past it (a zig-zag value over 2^52) the general path decides.
    if (n > Number.MAX_SAFE_INTEGER) {
      this.bad = true;
      return NaN;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** A union of null and one type: true when the value follows; null written as `\t\N`. */
  private union(): boolean {
    if (this.bad) return false;
    const b = this.src[this.p++];
    if (this.p > this.end || (b !== 0 && b !== 2)) {
      this.fail();
      return false;
    }
    if (b === 0) this.nullField();
    return b === 2;
  }

  private count(): void {
    const n = this.long();
    if (this.bad) return;
    this.ascii(String(n));
  }

  private instant(): void {
    const ms = this.long();
    if (this.bad) return;
    if (ms < 0 || ms > ISO_MAX) return this.fail();
    this.bytes(isoBytes(ms));
  }

  /** An Avro string as a COPY field (`inArray`: also as a quoted text[] element inside one). */
  private str(inArray: boolean): void {
    const len = this.long();
    if (this.bad) return;
    const src = this.src;
    const start = this.p;
    const stop = start + len;
    if (len < 0 || stop > this.end) return this.fail();
    const out = this.out;
    let o = this.pos;
    for (let i = start; i < stop; i++) {
      const c = src[i] as number;
      if (c >= 0x80) return this.fail();
      if (c === BACKSLASH) {
        // COPY escapes a backslash; inside a text[] element the array escaped it first.
        out[o++] = BACKSLASH;
        out[o++] = BACKSLASH;
        if (inArray) {
          out[o++] = BACKSLASH;
          out[o++] = BACKSLASH;
        }
      } else if (c === TAB || c === NL || c === CR) {
        out[o++] = BACKSLASH;
        out[o++] = c === TAB ? T : c === NL ? 0x6e : 0x72;
      } else if (c === QUOTE && inArray) {
        out[o++] = BACKSLASH;
        out[o++] = BACKSLASH;
        out[o++] = QUOTE;
      } else {
        out[o++] = c;
      }
    }
    this.pos = o;
    this.p = stop;
  }

  /** An array of strings as a text[] literal, every element quoted (textArrayLiteral). */
  private distinct(): void {
    this.byte(0x7b); // {
    let first = true;
    for (;;) {
      const count = this.long();
      if (this.bad) return;
      if (count === 0) break;
      if (count < 0) return this.fail(); // the size-prefixed block form: left to avsc
      for (let i = 0; i < count && !this.bad; i++) {
        if (!first) this.byte(0x2c); // ,
        first = false;
        this.byte(QUOTE);
        this.str(true);
        this.byte(QUOTE);
      }
    }
    this.byte(0x7d); // }
  }
}

/** The bytes before a row's rollup_offset: `\t` rollup_topic (a COPY field) `\t` rollup_partition `\t`. */
export function originPrefix(topicField: string, partition: number): Buffer {
  return Buffer.from(`\t${topicField}\t${partition}\t`, 'utf8');
}
