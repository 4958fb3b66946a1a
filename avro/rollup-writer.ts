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
import type { RollupPart, RollupState } from '../pipeline/aggregation/rollup.js';
import { partIdOf, partOf, type PartView } from '../pipeline/aggregation/part-sink.js';
import { rollupToRecord } from './records.js';
import { encodeBody } from './serde.js';
import { AvroWriter, isLong } from './avro-writer.js';
import { currentSchema } from './schemas.js';

/**
 * CRC-64-AVRO fingerprint of the rollup-part.avsc this writer writes. Another schema (a field
 * added) must not be written in this layout under its registry id: the writer refuses to start.
 */
const WRITES_SCHEMA = '03fa5a463144f68f';
const isOptString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** Everything the schema demands of a part, as avsc checks it; the writer trusts the rest. */
function writable(p: RollupPart): boolean {
  if (typeof p.partId !== 'string' || !headerWritable(p)) return false;
  const src = p.source;
  if (src === undefined || src === null) return true;
  return (
    typeof src.topic === 'string' &&
    src.partition === (src.partition | 0) &&
    typeof src.firstOffset === 'string' &&
    typeof src.lastOffset === 'string'
  );
}

/** writable() of the part a view stands for (its partId and source are strings by construction). */
const viewWritable = (v: PartView): boolean => headerWritable(v) && v.partition === (v.partition | 0);

/** The checks of the fields a part and a view share. */
function headerWritable(p: Omit<RollupPart, 'partId' | 'source'>): boolean {
  const s = p.state;
  if (typeof p.serverId !== 'string' || typeof p.meter !== 'string') return false;
  if (!isLong(p.windowStartMs) || !isLong(p.windowEndMs) || typeof p.correction !== 'boolean') return false;
  if (typeof s !== 'object' || s === null || !isLong(s.count) || typeof s.sum !== 'string') return false;
  if (!isOptString(s.max) || !isOptString(s.min) || !isOptString(s.latest)) return false;
  if (s.latestTsMs !== undefined && s.latestTsMs !== null && !isLong(s.latestTsMs)) return false;
  const d: unknown = s.distinct;
  return d === undefined || d === null || (Array.isArray(d) && d.every((x) => typeof x === 'string'));
}

/** A copy (Buffer#slice would be a view of the reused buffer). */
const copyOf = (buf: Buffer, from: number, to: number): Uint8Array => Uint8Array.prototype.slice.call(buf, from, to);

/** Longest encoded server id remembered (ids are at most 256 characters: up to 768 bytes + length). */
const MAX_SERVER_BYTES = 1024;

/** Distinct recurring strings (the topic, meter names) kept encoded; more than this: start over. */
const MAX_KNOWN = 64;

export class RollupWriter extends AvroWriter {
  /** Encoded (length + UTF-8) topic and meter names: the same few in every part. */
  private readonly known = new Map<string, Uint8Array>();
  /**
   * The last server id and its encoding (copied into a fixed scratch, not a new array per
   * server): a window's parts (one per meter) come one after another.
   */
  private lastServer: string | undefined;
  private readonly lastServerBytes = new Uint8Array(MAX_SERVER_BYTES);
  private lastServerLength = 0;
  /** partId pieces as ASCII bytes (partId()). */
  private readonly pieces = new Map<string, Uint8Array | null>();
  private lastSuffix: string | undefined;
  private lastSuffixBytes: Uint8Array | null = null;

  constructor(initialBytes?: number) {
    super(initialBytes);
    const fingerprint = currentSchema('rollup').fingerprint.toString('hex');
    if (fingerprint !== WRITES_SCHEMA)
      throw new Error(`avro/rollup-part.avsc changed (fingerprint ${fingerprint}, the hand writer knows ${WRITES_SCHEMA}): update avro/rollup-writer.ts and its test`);
  }

  /**
   * `head` (the frame, serde.head) then the Avro body of `p`. The result is a view of this
   * writer's buffer: valid until the next call, so copy it to keep it.
   */
  write(head: Buffer, p: RollupPart): Buffer {
    this.pos = 0;
    this.append(head, p);
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes written since the last clear (append mode: records back to back). */
  get length(): number {
    return this.pos;
  }

  /** A view of bytes [from, to): valid until the next append or clear. */
  view(from: number, to: number): Buffer {
    return this.buf.subarray(from, to);
  }

  /**
   * Hands over the buffer written so far (its bytes [0, length)) and goes on in `next`, empty:
   * a log keeps full buffers as chunks instead of copying them into a larger one (part-log.ts).
   * The remembered encodings stay (they are not in the buffer).
   */
  swapBuffer(next: Buffer): Buffer {
    const full = this.buf;
    this.buf = next;
    this.pos = 0;
    return full;
  }

  /** Forgets everything written (the buffer is kept). */
  clear(): void {
    this.pos = 0;
  }

  /** Bytes this writer holds (what keeping it costs). */
  get capacity(): number {
    return this.buf.length;
  }

  /**
   * `head` then the body of `p`, after what is already written (append mode). A part avsc
   * refuses throws its named error and leaves nothing of itself behind.
   */
  append(head: Buffer, p: RollupPart): void {
    const start = this.pos;
    this.bytes(head);
    if (!writable(p)) {
      let body: Buffer;
      try {
        body = encodeBody('rollup', rollupToRecord(p)); // throws naming the field
      } catch (err) {
        this.pos = start;
        throw err;
      }
      this.ensure(body.length);
      body.copy(this.buf, this.pos);
      this.pos += body.length;
      return;
    }
    this.string(p.partId);
    this.fields(p.serverId, p.meter, p.windowStartMs, p.windowEndMs, p.correction, p.state);
    const src = p.source;
    if (src === undefined || src === null) this.long(0);
    else this.source(src.topic, src.partition, src.firstOffset, src.lastOffset);
  }

  /**
   * append(head, partOf(v)) without the object: the same bytes (test/pipeline/aggregation/part-sink.test.ts),
   * the partId written from its pieces. A view avsc would refuse goes the object's way and throws.
   */
  appendView(head: Buffer, v: PartView): void {
    if (!viewWritable(v)) return this.append(head, partOf(v));
    this.bytes(head);
    this.partId(v);
    this.fields(v.serverId, v.meter, v.windowStartMs, v.windowEndMs, v.correction, v.state);
    this.source(v.topic, v.partition, v.firstOffset, v.lastOffset);
  }

  /**
   * The partId's string from its four pieces behind its length, ASCII bytes copied: the prefix
   * and meter infix from bytes kept per distinct piece, the segment's suffix from the last one's
   * (a row's parts share it), the offset's few digits char by char. Not char by char over the
   * prefix and suffix: they are cons strings (template results), whose charCodeAt walks the
   * rope (measured: 3 µs a sample). Anything not ASCII, or longer, is written as one string.
   */
  private partId(v: PartView): void {
    const a = this.piece(v.idPrefix);
    const c = this.piece(v.idInfix);
    const b = v.firstOffset;
    if (v.idSuffix !== this.lastSuffix) {
      this.lastSuffix = v.idSuffix;
      this.lastSuffixBytes = asciiBytes(v.idSuffix);
    }
    const d = this.lastSuffixBytes;
    if (a === null || c === null || d === null) return this.string(partIdOf(v));
    const n = a.length + b.length + c.length + d.length;
    const lenBytes = n < 64 ? 1 : n < 8192 ? 2 : 0; // zig-zag varint bytes of an ASCII length
    if (lenBytes === 0) return this.string(partIdOf(v));
    this.ensure(lenBytes + n);
    const buf = this.buf;
    const start = this.pos;
    let pos = put(buf, start + lenBytes, a);
    pos = ascii(buf, pos, b);
    if (pos < 0) return this.string(partIdOf(v)); // not ASCII: nothing kept of the attempt
    put(buf, put(buf, pos, c), d);
    this.long(n);
    this.pos = start + lenBytes + n;
  }

  /** A recurring partId piece's ASCII bytes (null: not ASCII), kept like `known`. */
  private piece(s: string): Uint8Array | null {
    let bytes = this.pieces.get(s);
    if (bytes === undefined) {
      bytes = asciiBytes(s);
      if (this.pieces.size >= MAX_KNOWN) this.pieces.clear();
      this.pieces.set(s, bytes);
    }
    return bytes;
  }

  /** The fields between the partId and the source. */
  private fields(serverId: string, meter: string, startMs: number, endMs: number, correction: boolean, s: RollupState): void {
    if (serverId === this.lastServer) this.copyIn(this.lastServerBytes, 0, this.lastServerLength);
    else {
      const at = this.pos;
      this.string(serverId);
      const n = this.pos - at;
      this.lastServer = n <= MAX_SERVER_BYTES ? serverId : undefined;
      for (let i = 0; i < n && i < MAX_SERVER_BYTES; i++) this.lastServerBytes[i] = this.buf[at + i] as number;
      this.lastServerLength = n;
    }
    this.recurring(meter);
    this.long(startMs);
    this.long(endMs);
    this.ensure(1);
    this.buf[this.pos++] = correction ? 1 : 0;
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
  }

  /** A present source (union branch 1). */
  private source(topic: string, partition: number, firstOffset: string, lastOffset: string): void {
    this.long(1);
    this.recurring(topic);
    this.long(partition);
    const first = this.pos;
    this.string(firstOffset);
    // A part of one sample starts and ends at the same offset: the bytes just written again.
    if (lastOffset === firstOffset) this.copyIn(this.buf, first, this.pos);
    else this.string(lastOffset);
  }

  /**
   * Strings the buffer's native UTF-8 write (≈ 60 ns a call, 8 a part) need not see again:
   * encoded once, then copied byte by byte.
   */
  private recurring(s: string): void {
    const known = this.known.get(s);
    if (known !== undefined) return this.copyIn(known);
    const at = this.pos;
    this.string(s);
    if (this.known.size >= MAX_KNOWN) this.known.clear();
    this.known.set(s, copyOf(this.buf, at, this.pos));
  }

  /** Appends bytes [from, to) of `src` (which may be this writer's own buffer, before pos). */
  private copyIn(src: Uint8Array, from = 0, to = src.length): void {
    this.ensure(to - from); // may move to a larger buffer: the old one still holds its bytes
    const buf = this.buf;
    let pos = this.pos;
    for (let i = from; i < to; i++) buf[pos++] = src[i] as number;
    this.pos = pos;
  }
}

/** Writes ASCII `s` at `pos`; the position after it, or −1 at its first other character. */
function ascii(buf: Uint8Array, pos: number, s: string): number {
  let at = pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[at++] = c;
  }
  return at;
}

/** The bytes of ASCII `s`; null when it is not ASCII. */
function asciiBytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  return ascii(out, 0, s) < 0 ? null : out;
}

/** Copies `bytes` to `pos`; the position after them. */
function put(buf: Buffer, pos: number, bytes: Uint8Array): number {
  let at = pos;
  for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i] as number;
  return at;
}
