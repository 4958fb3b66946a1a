// Writes RollupPart records (avro/rollup-part.avsc) by hand into one reused buffer, framed,
// byte for byte what `serde.encode('rollup', …)` gives through avsc (test/avro/rollup-writer.test.ts
// proves it over generated parts: nulls, unicode, long strings, lists, extreme numbers).
//
// Why by hand: the aggregate role writes about five parts per input sample, and avsc's
// `toBuffer` allocates and copies a Buffer per record, the framing copies it again, and the
// commit held every encoded record until its transaction ended (CPU in GC, and memory).
// node-rdkafka's produce copies the value (RK_MSG_COPY), so a part can be written into this
// buffer, produced, and the buffer reused for the next one: nothing allocated per part but
// the view. A part avsc would refuse (not a safe integer, a non-string…) is handed to avsc,
// which throws its named validation error.
import type { RollupPart } from '../pipeline/aggregation/rollup.js';
import { rollupToRecord } from './records.js';
import { encodeBody } from './serde.js';

/** avsc's bounds for a long held in a JS number (types.js isSafeLong). */
const LONG_MAX = 9007199254740990;

const isLong = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -LONG_MAX && v <= LONG_MAX;
const isOptString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** Everything the schema demands of a part, as avsc checks it; the writer trusts the rest. */
function writable(p: RollupPart): boolean {
  const s = p.state;
  if (typeof p.partId !== 'string' || typeof p.serverId !== 'string' || typeof p.meter !== 'string') return false;
  if (!isLong(p.windowStartMs) || !isLong(p.windowEndMs) || typeof p.correction !== 'boolean') return false;
  if (typeof s !== 'object' || s === null || !isLong(s.count) || typeof s.sum !== 'string') return false;
  if (!isOptString(s.max) || !isOptString(s.min) || !isOptString(s.latest)) return false;
  if (s.latestTsMs !== undefined && s.latestTsMs !== null && !isLong(s.latestTsMs)) return false;
  const d: unknown = s.distinct;
  if (d !== undefined && d !== null && !(Array.isArray(d) && d.every((x) => typeof x === 'string'))) return false;
  const src = p.source;
  if (src === undefined || src === null) return true;
  return (
    typeof src.topic === 'string' &&
    src.partition === (src.partition | 0) &&
    typeof src.firstOffset === 'string' &&
    typeof src.lastOffset === 'string'
  );
}

export class RollupWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * `head` (the frame, serde.head) then the Avro body of `p`. The result is a view of this
   * writer's buffer: valid until the next call, so copy it to keep it.
   */
  write(head: Buffer, p: RollupPart): Buffer {
    this.pos = 0;
    this.ensure(head.length);
    const buf = this.buf;
    for (let i = 0; i < head.length; i++) buf[i] = head[i] as number; // 5 or 10 bytes: no native call
    this.pos = head.length;
    if (!writable(p)) {
      const body = encodeBody('rollup', rollupToRecord(p)); // throws naming the field
      this.ensure(body.length);
      body.copy(this.buf, this.pos);
      this.pos += body.length;
      return this.buf.subarray(0, this.pos);
    }
    const s = p.state;
    this.string(p.partId);
    this.string(p.serverId);
    this.string(p.meter);
    this.long(p.windowStartMs);
    this.long(p.windowEndMs);
    this.ensure(1);
    this.buf[this.pos++] = p.correction ? 1 : 0;
    this.long(s.count);
    this.string(s.sum);
    this.optString(s.max);
    this.optString(s.min);
    this.optString(s.latest);
    if (s.latestTsMs === undefined || s.latestTsMs === null) this.long(0);
    else {
      this.long(1);
      this.long(s.latestTsMs);
    }
    const d = s.distinct;
    if (d === undefined || d === null) this.long(0);
    else {
      this.long(1);
      // Avro arrays are blocks: a count, the items, and a 0 count to end (avsc writes one block).
      if (d.length > 0) {
        this.long(d.length);
        for (const x of d) this.string(x);
      }
      this.long(0);
    }
    const src = p.source;
    if (src === undefined || src === null) this.long(0);
    else {
      this.long(1);
      this.string(src.topic);
      this.long(src.partition);
      this.string(src.firstOffset);
      this.string(src.lastOffset);
    }
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private optString(v: string | undefined | null): void {
    if (v === undefined || v === null) this.long(0);
    else {
      this.long(1);
      this.string(v);
    }
  }

  /** Zig-zag varint, exactly avsc's Tap.writeLong (integer arithmetic below 2^30, floating above). */
  private long(n: number): void {
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
   * Length-prefixed UTF-8. ASCII (every id, offset and decimal the pipeline makes) is copied char
   * by char behind a length known in advance; anything else goes the way avsc's
   * Tap.writeString does, so lone surrogates come out as avsc writes them too.
   */
  private string(s: string): void {
    const n = s.length;
    this.ensure(10 + 3 * n);
    const buf = this.buf;
    const start = this.pos;
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
}

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
