// The Avro binary primitives the hand writers share (rollup-writer.ts, sample-writer.ts): a
// growable buffer and avsc's own encodings of long, string and ["null", string], byte for byte
// (each writer's test compares its records with avsc's over generated values).
//
// Why by hand at all: avsc's `toBuffer` allocates and copies a Buffer per record and the framing
// copies it again; on the hot paths (about five rollup parts per sample in the aggregate role,
// every sample at ingest) that is most of the encoding's cost, in CPU and garbage.

/** avsc's bounds for a long held in a JS number (types.js isSafeLong). */
export const LONG_MAX = 9007199254740990;

export const isLong = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -LONG_MAX && v <= LONG_MAX;

export class AvroWriter {
  protected buf: Buffer;
  protected pos = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Room for `n` more bytes; a larger buffer keeps what was written (views of the old stay valid). */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The frame (5 or 10 bytes) byte by byte: no native call. */
  protected bytes(head: Buffer): void {
    this.ensure(head.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < head.length; i++) buf[pos++] = head[i] as number;
    this.pos = pos;
  }

  protected optString(v: string | undefined | null): void {
    if (v === undefined || v === null) this.long(0);
    else {
      this.long(1);
      this.string(v);
    }
  }

  /** Zig-zag varint, exactly avsc's Tap.writeLong (integer arithmetic below 2^30, floating above). */
  protected long(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= -1073741824 && n < 1073741824) {
      let m = n >= 0 ? n << 1 : (~n << 1) | 1;
      while (m > 0x7f) {
        buf[pos++] = (m & 0x7f) | 0x80;
        m >>>= 7;
      }
      buf[pos++] = m;
    } else {
      let f = n >= 0 ? n * 2 : -n * 2 - 1;
      for (;;) {
        const b = f & 0x7f;
        f /= 128;
        if (f >= 1) buf[pos++] = b | 0x80;
        else {
          buf[pos++] = b;
          break;
        }
      }
    }
    this.pos = pos;
  }

  /**
   * Length-prefixed UTF-8. ASCII (every id, offset and decimal the pipeline makes) is written
   * behind a length known in advance: short strings char by char in JavaScript (a sample's metric
   * names, values and labels: 1.4 → 0.7 µs per sample measured), longer ones natively; anything
   * else goes the way avsc's Tap.writeString does, so lone surrogates come out as avsc writes them.
   */
  protected string(s: string): void {
    const n = s.length;
    this.ensure(10 + 3 * n);
    const buf = this.buf;
    const start = this.pos;
    if (n < SHORT && this.shortAscii(s, n)) return;
    const lenBytes = n < 64 ? 1 : n < 8192 ? 2 : n < 1048576 ? 3 : 0;
    // Written as UTF-8 behind room for the length of an ASCII string (natively: a JS loop over
    // charCodeAt measured 2.4× slower on the role's parts). As many bytes as chars means ASCII.
    if (lenBytes > 0 && utf8Write(buf, s, start + lenBytes) === n) {
      this.long(n);
      this.pos = start + lenBytes + n;
      return;
    }
    const len = Buffer.byteLength(s);
    this.long(len);
    if (len > 64) buf.write(s, this.pos, len, 'utf8');
    else writeUtf8Like(buf, this.pos, s);
    this.pos += len;
  }

  /** A short ASCII string char by char (length byte first): false, nothing kept, for anything else. */
  private shortAscii(s: string, n: number): boolean {
    const buf = this.buf;
    let pos = this.pos + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[pos++] = c;
    }
    buf[this.pos] = n << 1; // n < 64: one zig-zag byte
    this.pos = pos;
    return true;
  }
}

/** Strings shorter than this are tried char by char first (a native call costs more than the loop). */
const SHORT = 32;

/** Buffer's own UTF-8 writer: what buf.write(s, at, 'utf8') calls, minus its argument parsing (Node ≥ 20 has it). */
type Utf8Writing = Buffer & { utf8Write(s: string, offset: number): number };
const utf8Write = (buf: Buffer, s: string, at: number): number => (buf as Utf8Writing).utf8Write(s, at);

/** avsc's manual UTF-8 loop for short strings (a lone surrogate becomes its own 3 bytes). */
function writeUtf8Like(buf: Buffer, at: number, s: string): void {
  let pos = at;
  for (let i = 0; i < s.length; i++) {
    let c1 = s.charCodeAt(i);
    let c2: number;
    if (c1 < 0x80) buf[pos++] = c1;
    else if (c1 < 0x800) {
      buf[pos++] = (c1 >> 6) | 0xc0;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[pos++] = (c1 >> 18) | 0xf0;
      buf[pos++] = ((c1 >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c1 >> 12) | 0xe0;
      buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c1 & 0x3f) | 0x80;
    }
  }
}
