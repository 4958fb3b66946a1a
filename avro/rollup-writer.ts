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
import { AvroWriter, isLong } from './avro-writer.js';
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

export class RollupWriter extends AvroWriter {

  /**
   * `head` (the frame, serde.head) then the Avro body of `p`. The result is a view of this
   * writer's buffer: valid until the next call, so copy it to keep it.
   */
  write(head: Buffer, p: RollupPart): Buffer {
    this.pos = 0;
    this.bytes(head);
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
}
