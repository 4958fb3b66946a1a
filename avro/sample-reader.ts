// Reads Sample records (avro/sample.avsc, written with that very schema) by hand, straight from
// the record's bytes into a record that is already a valid Sample — what avsc's decode and then
// parseSample (records.ts: recordToSample) would give, without avsc's record, parseSample's
// copies of the metrics and labels, or a new string per metric name.
//
// Why: the aggregate role decodes every input sample (≈ 17 000/s per process), and avsc's
// record plus parseSample's re-validation allocated some ten objects and a string per map
// entry per sample: CPU in the decode itself and in the GC after it.
//
// It answers only where it is sure to give exactly what the full path gives, and declines
// (undefined) everything else, which then goes through avsc and parseSample — the path that
// names what is wrong: a truncated or over-long body, a negative block count, an empty or
// over-long id or name, a metric value other than -?digits(.digits)? (an exponent, spaces, a
// sign the full path would judge), an interval_s that is not plainly positive, a ts outside
// SPEC §2's range, a map key "__proto__", more than MAX_METRICS entries. Strings are decoded
// with Buffer's utf8Slice, as avsc's Tap.readString does, so any bytes read the same.
// test/avro/sample-reader.test.ts compares both paths over generated records.
import { MAX_ID_LENGTH, MAX_METRICS, MAX_SERVER_ID_LENGTH, type Sample } from '../pipeline/samples/sample.js';
import type { SampleRecord } from './records.js';

/** A sample record that the reader has checked as parseSample would: recordToSample takes it as it is. */
export class CheckedSampleRecord implements SampleRecord {
  // Own fields in the schema's order, like avsc's record.
  constructor(
    public id: string,
    public server_id: string,
    public ts: number,
    public interval_s: string | null,
    public metrics: Record<string, string>,
    public labels: Record<string, string>,
  ) {}

  /** The Sample parseSample builds from this record (it shares the maps: parseSample's copies would be equal). */
  toSample(): Sample {
    const sample: Sample = { id: this.id, serverId: this.server_id, tsMs: this.ts, metrics: this.metrics, labels: this.labels };
    if (this.interval_s !== null) sample.intervalS = this.interval_s;
    return sample;
  }
}

/** parseTimestamp's upper bound (9999-12-31T23:59:59.999Z). */
const MAX_TS = 253402300799999;
/** Metric names parseSample takes. */
const MAX_NAME_LENGTH = 200;

type Buf = Buffer & { utf8Slice(from: number, to: number): string; latin1Slice(from: number, to: number): string };

/** Recurring strings remembered per map, by position; longer ones are not remembered. */
const SLOTS = 64;
const SLOT_BYTES = 64;

/**
 * A recurring string (map keys, repeated values), by position in the record: the bytes are
 * compared with the previous record's at the same position and its string reused when equal.
 * The bytes are kept in one fixed array: a miss (a counter's value changes every record)
 * allocates nothing but the string.
 */
class Recurring {
  private readonly bytes = new Uint8Array(SLOTS * SLOT_BYTES);
  private readonly lengths = new Int32Array(SLOTS).fill(-1);
  private readonly strings: string[] = [];

  /** The string of bytes [from, to) for slot k; `ascii`: the bytes are known to be ASCII. */
  get(buf: Buf, from: number, to: number, k: number, ascii: boolean): string {
    const n = to - from;
    const slot = k * SLOT_BYTES;
    if (k < SLOTS && this.lengths[k] === n) {
      let i = 0;
      while (i < n && this.bytes[slot + i] === buf[from + i]) i++;
      if (i === n) return this.strings[k] as string;
    }
    const s = ascii ? buf.latin1Slice(from, to) : buf.utf8Slice(from, to);
    if (k < SLOTS && n <= SLOT_BYTES) {
      for (let i = 0; i < n; i++) this.bytes[slot + i] = buf[from + i] as number;
      this.lengths[k] = n;
      this.strings[k] = s;
    }
    return s;
  }
}

/** Position in the record being read (module state: reading is synchronous, one record at a time). */
let pos = 0;

/**
 * avsc's Tap.readLong, exactly (integer arithmetic for 4 bytes, floating beyond); NaN when the
 * record ends inside it.
 */
function readLong(buf: Buffer): number {
  let n = 0;
  let k = 0;
  let b: number;
  do {
    if (pos >= buf.length) return Number.NaN;
    b = buf[pos++] as number;
    n |= (b & 0x7f) << k;
    k += 7;
  } while (b & 0x80 && k < 28);
  if (b & 0x80) {
    let f = n;
    let fk = 268435456; // 2 ** 28
    do {
      if (pos >= buf.length) return Number.NaN;
      b = buf[pos++] as number;
      f += (b & 0x7f) * fk;
      fk *= 128;
    } while (b & 0x80);
    return (f % 2 ? -(f + 1) : f) / 2;
  }
  return (n >> 1) ^ -(n & 1);
}

/** The length of the string or block at pos, or −1 when it is negative or runs past the end. */
function readLength(buf: Buffer): number {
  const n = readLong(buf);
  return n >= 0 && pos + n <= buf.length ? n : -1;
}

/** End of a plain decimal -?\d+(\.\d+)? spanning exactly [from, to), or false. */
function isPlainDecimal(buf: Buffer, from: number, to: number, signed: boolean): boolean {
  let i = from;
  if (signed && buf[i] === 45) i++; // '-'
  const digitsFrom = i;
  while (i < to && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) i++;
  if (i === digitsFrom) return false;
  if (i === to) return true;
  if (buf[i] !== 46) return false; // '.'
  const fracFrom = ++i;
  while (i < to && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) i++;
  return i === to && i > fracFrom;
}

/** Some digit 1–9 in [from, to): a plain unsigned decimal above zero. */
function hasNonZeroDigit(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((buf[i] as number) >= 49 && (buf[i] as number) <= 57) return true;
  return false;
}

export class SampleReader {
  private readonly metricNames = new Recurring();
  private readonly metricValues = new Recurring();
  private readonly labelNames = new Recurring();
  private readonly labelValues = new Recurring();

  /** The record whose Avro body spans [start, end of buf), or undefined: use avsc and parseSample. */
  read(value: Buffer, start: number): CheckedSampleRecord | undefined {
    const buf = value as Buf;
    pos = start;
    const id = this.string(buf, MAX_ID_LENGTH);
    if (id === undefined) return undefined;
    const serverId = this.string(buf, MAX_SERVER_ID_LENGTH);
    if (serverId === undefined) return undefined;
    const ts = readLong(buf);
    // avsc refuses a long beyond ±(2^53 − 2); parseTimestamp anything outside [0, MAX_TS].
    if (!(ts >= 0 && ts <= MAX_TS)) return undefined;
    let interval: string | null = null;
    const branch = readLong(buf);
    if (branch === 1) {
      const n = readLength(buf);
      if (n <= 0 || !isPlainDecimal(buf, pos, pos + n, false) || !hasNonZeroDigit(buf, pos, pos + n)) return undefined;
      interval = buf.latin1Slice(pos, pos + n);
      pos += n;
    } else if (branch !== 0) return undefined;
    const metrics = this.metrics(buf);
    if (metrics === undefined) return undefined;
    const labels = this.labels(buf);
    // avsc refuses trailing bytes after the record.
    if (labels === undefined || pos !== buf.length) return undefined;
    return new CheckedSampleRecord(id, serverId, ts, interval, metrics, labels);
  }

  /** A non-empty string of at most `max` UTF-16 units (parseSample's id rules). */
  private string(buf: Buf, max: number): string | undefined {
    const n = readLength(buf);
    if (n <= 0) return undefined;
    const s = buf.utf8Slice(pos, pos + n);
    pos += n;
    return s.length <= max ? s : undefined;
  }

  private metrics(buf: Buf): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    let k = 0;
    for (let count = readLong(buf); count !== 0; count = readLong(buf)) {
      if (!(count > 0) || k + count > MAX_METRICS) return undefined;
      for (const end = k + count; k < end; k++) {
        const nameLength = readLength(buf);
        if (nameLength <= 0) return undefined;
        const name = this.metricNames.get(buf, pos, pos + nameLength, k, false);
        pos += nameLength;
        if (name.length > MAX_NAME_LENGTH || name === '__proto__') return undefined;
        const n = readLength(buf);
        if (n <= 0 || !isPlainDecimal(buf, pos, pos + n, true)) return undefined;
        out[name] = this.metricValues.get(buf, pos, pos + n, k, true);
        pos += n;
      }
    }
    return k > 0 ? out : undefined;
  }

  private labels(buf: Buf): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    let k = 0;
    for (let count = readLong(buf); count !== 0; count = readLong(buf)) {
      if (!(count > 0)) return undefined;
      for (const end = k + count; k < end; k++) {
        const nameLength = readLength(buf);
        if (nameLength < 0) return undefined;
        const name = this.labelNames.get(buf, pos, pos + nameLength, k, false);
        pos += nameLength;
        if (name === '__proto__') return undefined;
        const n = readLength(buf);
        if (n < 0) return undefined;
        out[name] = this.labelValues.get(buf, pos, pos + n, k, false);
        pos += n;
      }
    }
    return out;
  }
}
