// Writes Sample records (avro/sample.avsc), framed, by hand: byte for byte what
// `serde.encode('sample', …)` gives through avsc (test/avro/sample-writer.test.ts proves it
// over generated samples: unicode, long strings, maps of every size, extreme numbers).
//
// Why: ingest encoded every sample with avsc (a Buffer per record, a second one for the frame,
// an awaited promise each), a measurable share of its CPU per sample. Here one request's samples
// go into one fresh buffer and each record is a view of it. The buffer is never reused, so the
// views may be kept as long as a producer likes (kafkajs keeps them until acknowledged;
// node-rdkafka copies them). A sample avsc would refuse (a non-string metric value, a ts that is
// not a safe integer…) is handed to avsc, which throws its validation error naming the field.
import type { Sample } from '../pipeline/samples/sample.js';
import { AvroWriter, isLong } from './avro-writer.js';
import { sampleToRecord } from './records.js';
import { encodeBody } from './serde.js';

/** About one agent sample's frame and body; the buffer grows when they are larger. */
const BYTES_PER_SAMPLE = 192;

class SampleWriter extends AvroWriter {
  /** `head` then the Avro body of `s`: a view of this writer's buffer, never overwritten. */
  write(head: Buffer, s: Sample): Buffer {
    const start = this.pos;
    this.bytes(head);
    if (!this.body(s)) {
      this.pos = start + head.length;
      const body = encodeBody('sample', sampleToRecord(s)); // throws naming the field
      this.ensure(body.length);
      body.copy(this.buf, this.pos);
      this.pos += body.length;
    }
    return this.buf.subarray(start, this.pos);
  }

  /** The body, or false (partly written) for a sample the schema does not take as it is. */
  private body(s: Sample): boolean {
    if (typeof s.id !== 'string' || typeof s.serverId !== 'string' || !isLong(s.tsMs)) return false;
    const interval: unknown = s.intervalS;
    if (interval !== undefined && interval !== null && typeof interval !== 'string') return false;
    this.string(s.id);
    this.string(s.serverId);
    this.long(s.tsMs);
    this.optString(s.intervalS);
    return this.map(s.metrics) && this.map(s.labels);
  }

  /** An Avro map<string> as avsc writes it: one block of Object.keys order, then a 0 count. */
  private map(m: unknown): boolean {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
    const o = m as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length > 0) {
      this.long(keys.length);
      for (const k of keys) {
        const v = o[k];
        if (typeof v !== 'string') return false;
        this.string(k);
        this.string(v);
      }
    }
    this.long(0);
    return true;
  }
}

/**
 * Each sample framed with `head` (serde.head) and encoded, all in one new buffer: the values
 * stay valid for good (nothing reuses the buffer).
 */
export function encodeSamples(head: Buffer, samples: readonly Sample[]): Buffer[] {
  const w = new SampleWriter(Math.max(64, samples.length * BYTES_PER_SAMPLE));
  const out = new Array<Buffer>(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = w.write(head, samples[i] as Sample);
  return out;
}
