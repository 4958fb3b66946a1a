// Binary server records (changelog format 3): what a restore needs of one server — open
// segments, pending corrections, counter baselines — without JSON's repeated keys and decimal
// strings. A decimal is its scale and its mantissa as a double when that is a safe integer (the
// common case: read without parsing text), else as digits; an offset is a double when it is a
// short canonical decimal, else its text. Records start with byte 0, which no JSON record (that
// starts with "{") does, so both formats are read side by side after an upgrade in place.
//
//   dec = f64 scale, f64 mantissa (or −1, str); off = f64 (or −1, str); str = u32 length, UTF-8
//   0x00 0x03 · str serverId · u16 names, str name… (the meters the record uses)
//   u32 counters: str metric, f64 tsMs, dec value
//   u32 open segments, u32 corrections: f64 startMs, f64 endMs, [f64 epoch (corrections;
//     NaN = none)], u16 accs: u16 name index, f64 count, off first, off last, dec sum,
//     u8 flags (1: x, 2: distinct), [dec x, f64 xTsMs], [u32 n, str…]
import type { AccSnapshot } from './accumulator.js';
import type { CorrectionRecord, SegmentRecord, ServerRecord } from './changes.js';
import { formatFixed, parseFixed } from './fixed.js';
import { offsetNumber } from './slab.js';

export const PACKED_VERSION = 3;

/** Whether a stored record is a binary (format 3) one. */
export const isPacked = (b: Uint8Array): boolean => b.length > 1 && b[0] === 0 && b[1] === PACKED_VERSION;

class Writer {
  private buf = Buffer.allocUnsafe(512);
  private at = 0;

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

  u16(v: number): void {
    this.room(2);
    this.at = this.buf.writeUInt16LE(v, this.at);
  }

  u32(v: number): void {
    this.room(4);
    this.at = this.buf.writeUInt32LE(v, this.at);
  }

  f64(v: number): void {
    this.room(8);
    this.at = this.buf.writeDoubleLE(v, this.at);
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.u32(n);
    this.room(n);
    this.at += this.buf.write(s, this.at);
  }

  /** A decimal string: f64 scale, then f64 mantissa; or −1, then its text. */
  dec(text: string): void {
    const f = parseFixed(text);
    const n = Number(f.m);
    if (Number.isSafeInteger(n)) {
      this.f64(f.s);
      this.f64(n);
    } else {
      this.f64(-1);
      this.str(text);
    }
  }

  off(text: string): void {
    const n = offsetNumber(text);
    if (Number.isNaN(n)) {
      this.f64(-1);
      this.str(text);
    } else this.f64(n);
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

  u16(): number {
    const v = this.b.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    const v = this.b.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.b.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    const s = this.b.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  /** A decimal as [scale, mantissa] (mantissa NaN: `text` holds the digits). */
  dec(): { s: number; n: number; text: string | undefined } {
    const s = this.f64();
    if (s >= 0) return { s, n: this.f64(), text: undefined };
    return { s: 0, n: Number.NaN, text: this.str() };
  }

  decText(): string {
    const d = this.dec();
    return d.text ?? formatFixed({ m: BigInt(d.n), s: d.s });
  }

  /** An offset: a double, or NaN with its text. */
  off(): { n: number; text: string | undefined } {
    const n = this.f64();
    return n >= 0 ? { n, text: undefined } : { n: Number.NaN, text: this.str() };
  }

  offText(): string {
    const o = this.off();
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
  w.u16(names.length);
  for (const n of names) w.str(n);
  w.u32(r.counters.length);
  for (const [metric, ts, v] of r.counters) {
    w.str(metric);
    w.f64(ts);
    w.dec(v);
  }
  w.u32(r.open.length);
  w.u32(r.corrections.length);
  const segment = (g: SegmentRecord, epoch: number | undefined, correction: boolean): void => {
    w.f64(g.startMs);
    w.f64(g.endMs);
    if (correction) w.f64(epoch ?? Number.NaN);
    const accs = Object.entries(g.accs);
    w.u16(accs.length);
    for (const [name, a] of accs) {
      w.u16(index.get(name) as number);
      w.f64(a.count);
      w.off(a.firstOffset);
      w.off(a.lastOffset);
      w.dec(a.sum);
      w.u8((a.x === undefined ? 0 : 1) | (a.distinct === undefined ? 0 : 2));
      if (a.x !== undefined) {
        w.dec(a.x);
        w.f64(a.xTsMs ?? 0);
      }
      if (a.distinct !== undefined) {
        w.u32(a.distinct.length);
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
  const names = Array.from({ length: rd.u16() }, () => rd.str());
  const counters: ServerRecord['counters'] = Array.from({ length: rd.u32() }, () => [rd.str(), rd.f64(), rd.decText()]);
  return { serverId, names, counters };
}

/** A packed record as a ServerRecord (the general path: migrations, tools, tests). */
export function decodePacked(b: Buffer): ServerRecord {
  const rd = new Reader(b);
  const { serverId, names, counters } = readHeader(rd);
  const nOpen = rd.u32();
  const nCorr = rd.u32();
  const segment = (correction: boolean): CorrectionRecord => {
    const startMs = rd.f64();
    const endMs = rd.f64();
    const epoch = correction ? rd.f64() : Number.NaN;
    const accs: Record<string, AccSnapshot> = {};
    for (let k = rd.u16(); k > 0; k--) {
      const name = names[rd.u16()] as string;
      const a: AccSnapshot = { count: rd.f64(), sum: '', firstOffset: rd.offText(), lastOffset: rd.offText() };
      a.sum = rd.decText();
      const flags = rd.u8();
      if (flags & 1) {
        a.x = rd.decText();
        a.xTsMs = rd.f64();
      }
      if (flags & 2) a.distinct = Array.from({ length: rd.u32() }, () => rd.str());
      accs[name] = a;
    }
    const g: CorrectionRecord = { startMs, endMs, accs };
    if (!Number.isNaN(epoch)) g.epoch = epoch;
    return g;
  };
  const open = Array.from({ length: nOpen }, () => segment(false));
  const corrections = Array.from({ length: nCorr }, () => segment(true));
  return { serverId, open, corrections, counters };
}
