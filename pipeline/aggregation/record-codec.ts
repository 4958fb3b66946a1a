// Binary server records (changelog format 3): what a restore needs of one server — open
// segments, pending corrections, counter baselines — without JSON's repeated keys and decimal
// strings. A decimal is its scale and its mantissa as a double when that is a safe integer (the
// common case: read without parsing text), else as digits; an offset is a double when it is a
// short canonical decimal, else its text. Records start with byte 0, which no JSON record (that
// starts with "{") does, so both formats are read side by side after an upgrade in place.
//
//   uv = unsigned LEB128 varint (any safe integer); str = uv length, UTF-8; f64 = little-endian
//   dec = uv (1 + 2 × scale + sign), uv |mantissa| — or uv 0, str (mantissa over 2^53)
//   off = uv (offset + 1) — or uv 0, str; the last offset: uv 0, str | uv 1, off | uv (2 + last − first)
//   0x00 0x03 · str serverId · uv names, str name… (the meters the record uses)
//   uv counters: str metric, f64 tsMs, dec value
//   uv open segments, uv corrections: f64 startMs, uv (endMs − startMs), [uv (epoch + 1)
//     (corrections; 0 = none)], uv accs: uv name index, uv count, off first, last offset, dec sum,
//     u8 flags (1: x, 2: distinct, 4: xTsMs ≠ 0), [dec x, [f64 xTsMs]], [uv n, str…]
import type { AccSnapshot } from './accumulator.js';
import type { CorrectionRecord, SegmentRecord, ServerRecord } from './changes.js';
import { formatFixed, parseFixed } from './fixed.js';
import { MeterlineError } from '../../lib/errors.js';
import { offOf, type Off } from './slab.js';

export const PACKED_VERSION = 3;

/** Whether a stored record is a binary (format 3) one. */
export const isPacked = (b: Uint8Array): boolean => b.length > 1 && b[0] === 0 && b[1] === PACKED_VERSION;

/** Writes records into one reused buffer; copy() takes the finished record out. */
export class Writer {
  private buf = Buffer.allocUnsafe(512);
  private at = 0;

  /** Starts the next record at the front of the buffer. */
  reset(): void {
    this.at = 0;
  }

  /** The record written since reset(), as a buffer of its own (the writer's is reused). */
  copy(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  uv(v: number): void {
    this.room(8);
    while (v >= 128) {
      this.buf[this.at++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
  }

  f64(v: number): void {
    this.room(8);
    this.at = this.buf.writeDoubleLE(v, this.at);
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.uv(n);
    this.room(n);
    this.at += this.buf.write(s, this.at);
  }

  /** A decimal string: its scale and sign in one varint, then |mantissa|; or 0, then its text. */
  dec(text: string): void {
    const f = parseFixed(text);
    const n = Number(f.m);
    if (Number.isSafeInteger(n) && f.s <= 1e6) {
      this.uv(1 + 2 * f.s + (n < 0 ? 1 : 0));
      this.uv(Math.abs(n));
    } else {
      this.uv(0);
      this.str(text);
    }
  }

  /** A decimal given as its safe-integer mantissa and scale (what dec() writes for its text). */
  decNum(n: number, s: number): void {
    this.uv(1 + 2 * s + (n < 0 ? 1 : 0));
    this.uv(Math.abs(n));
  }

  off(text: string): void {
    this.offOf(offOf(text));
  }

  /** An offset held as a slab holds it (slab-offsets.ts: a double, or the text of any other). */
  offOf(o: Off): void {
    if (typeof o === 'string') {
      this.uv(0);
      this.str(o);
    } else this.uv(o + 1);
  }

  /** The last offset as a slab holds it, after `first` (lastOff's encoding). */
  lastOffOf(o: Off, first: Off): void {
    if (typeof o === 'string') {
      this.uv(0);
      this.str(o);
    } else if (typeof first === 'number' && o >= first) this.uv(2 + o - first);
    else {
      this.uv(1);
      this.offOf(o);
    }
  }

  /** The last offset: mostly a small distance after the first. */
  lastOff(text: string, first: string): void {
    this.lastOffOf(offOf(text), offOf(first));
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** Reads a packed record in order; shared by the full decoder and the direct slab restore. */
export class Reader {
  at = 2;

  constructor(private readonly b: Buffer) {}

  u8(): number {
    return this.b[this.at++] as number;
  }

  uv(): number {
    let n = 0;
    let mul = 1;
    let b: number;
    do {
      b = this.b[this.at++] as number;
      n += (b & 127) * mul;
      mul *= 128;
    } while (b & 128);
    return n;
  }

  f64(): number {
    const v = this.b.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  str(): string {
    const n = this.uv();
    const s = this.b.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  /** A decimal as [scale, mantissa] (mantissa NaN: `text` holds the digits). */
  dec(): { s: number; n: number; text: string | undefined } {
    const tag = this.uv();
    if (tag === 0) return { s: 0, n: Number.NaN, text: this.str() };
    const abs = this.uv();
    return { s: (tag - 1) >>> 1, n: tag % 2 === 0 ? -abs : abs, text: undefined };
  }

  decText(): string {
    const d = this.dec();
    return d.text ?? formatFixed({ m: BigInt(d.n), s: d.s });
  }

  /** An offset: a double, or NaN with its text. */
  off(): { n: number; text: string | undefined } {
    const v = this.uv();
    return v > 0 ? { n: v - 1, text: undefined } : { n: Number.NaN, text: this.str() };
  }

  /** The last offset, given the first's value (NaN when the first is text). */
  lastOff(first: number): { n: number; text: string | undefined } {
    const tag = this.uv();
    if (tag === 0) return { n: Number.NaN, text: this.str() };
    return tag === 1 ? this.off() : { n: first + tag - 2, text: undefined };
  }

  offText(o: { n: number; text: string | undefined }): string {
    return o.text ?? String(o.n);
  }
}

export function encodePacked(r: ServerRecord): Buffer {
  const w = new Writer();
  w.u8(0);
  w.u8(PACKED_VERSION);
  w.str(r.serverId);
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const g of [...r.open, ...r.corrections]) {
    for (const name of Object.keys(g.accs)) {
      if (!index.has(name)) index.set(name, names.push(name) - 1);
    }
  }
  w.uv(names.length);
  for (const n of names) w.str(n);
  w.uv(r.counters.length);
  for (const [metric, ts, v] of r.counters) {
    w.str(metric);
    w.f64(ts);
    w.dec(v);
  }
  w.uv(r.open.length);
  w.uv(r.corrections.length);
  const segment = (g: SegmentRecord, epoch: number | undefined, correction: boolean): void => {
    w.f64(g.startMs);
    w.uv(g.endMs - g.startMs);
    if (correction) w.uv(epoch === undefined ? 0 : epoch + 1);
    const accs = Object.entries(g.accs);
    w.uv(accs.length);
    for (const [name, a] of accs) {
      w.uv(index.get(name) as number);
      w.uv(a.count);
      w.off(a.firstOffset);
      w.lastOff(a.lastOffset, a.firstOffset);
      w.dec(a.sum);
      const ts = a.xTsMs ?? 0;
      w.u8((a.x === undefined ? 0 : 1) | (a.distinct === undefined ? 0 : 2) | (ts === 0 ? 0 : 4));
      if (a.x !== undefined) {
        w.dec(a.x);
        if (ts !== 0) w.f64(ts);
      }
      if (a.distinct !== undefined) {
        w.uv(a.distinct.length);
        for (const d of a.distinct) w.str(d);
      }
    }
  };
  for (const g of r.open) segment(g, undefined, false);
  for (const g of r.corrections) segment(g, g.epoch, true);
  return w.done();
}

/** The header of a packed record: server, meter names, counter baselines. */
export function readHeader(rd: Reader): { serverId: string; names: string[]; counters: ServerRecord['counters'] } {
  const serverId = rd.str();
  const names = Array.from({ length: rd.uv() }, () => rd.str());
  const counters: ServerRecord['counters'] = Array.from({ length: rd.uv() }, () => [rd.str(), rd.f64(), rd.decText()]);
  return { serverId, names, counters };
}

/** The accumulators of one segment, `names` naming the record's meter indexes. */
export function readAccs(rd: Reader, names: readonly string[]): Record<string, AccSnapshot> {
  const accs: Record<string, AccSnapshot> = {};
  for (let k = rd.uv(); k > 0; k--) {
    const i = rd.uv();
    const name = names[i];
    if (name === undefined) throw new MeterlineError('internal', `aggregate state record names meter #${i} of ${names.length}`);
    const count = rd.uv();
    const first = rd.off();
    const a: AccSnapshot = { count, sum: '', firstOffset: rd.offText(first), lastOffset: rd.offText(rd.lastOff(first.n)) };
    a.sum = rd.decText();
    const flags = rd.u8();
    if (flags & 1) {
      a.x = rd.decText();
      a.xTsMs = flags & 4 ? rd.f64() : 0;
    }
    if (flags & 2) a.distinct = Array.from({ length: rd.uv() }, () => rd.str());
    accs[name] = a;
  }
  return accs;
}

/** A packed record as a ServerRecord (the general path: migrations, tools, tests). */
export function decodePacked(b: Buffer): ServerRecord {
  const rd = new Reader(b);
  const { serverId, names, counters } = readHeader(rd);
  const nOpen = rd.uv();
  const nCorr = rd.uv();
  const segment = (correction: boolean): CorrectionRecord => {
    const startMs = rd.f64();
    const endMs = startMs + rd.uv();
    const epoch = correction ? rd.uv() - 1 : -1;
    const g: CorrectionRecord = { startMs, endMs, accs: readAccs(rd, names) };
    if (epoch >= 0) g.epoch = epoch;
    return g;
  };
  const open = Array.from({ length: nOpen }, () => segment(false));
  const corrections = Array.from({ length: nCorr }, () => segment(true));
  return { serverId, open, corrections, counters };
}
