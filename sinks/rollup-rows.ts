// A fetched batch of usage.rollups records as the sink's rows (a RowBatch for sinks/store.ts),
// read straight from the Avro bytes into COPY text (sinks/rollup-line.ts) while the COPY
// streams: no RollupPart per record on the fast path, and nothing held per row once its chunk
// is written.
//
// Before the transaction (`rollupRows`, async: a Schema Registry outage is waited out there, as
// before): records written with the current rollup schema are only recognised by their frame
// (the Confluent schema id the registry gives that schema for this topic, or its single-object
// fingerprint); any other record is decoded the general way (serde.decode, schema resolution).
// Undecodable records become dead letters with their reason, as `decodeRollupBatch` does.
// Inside the transaction (`fresh(stored).chunks()`, synchronous): the rows at offsets ≥ the
// stored one; a record the hand writer declines goes through avsc with the current schema.
import type { KafkaMessage } from 'kafkajs';
import type { AvroSerde } from '../avro/serde.js';
import { parseFrame } from '../avro/framing.js';
import { currentSchema } from '../avro/schemas.js';
import { recordToRollup, rollupToRecord } from '../avro/records.js';
import { isKind } from '../lib/errors.js';
import type { RollupPart } from '../pipeline/aggregation/rollup.js';
import { copyField, copyRow, type RollupOrigin, type StoredPart } from './copy-rows.js';
import { RollupLineWriter, maxRowBytes, originPrefix } from './rollup-line.js';
import type { FreshRows, RowBatch } from './store.js';

/** COPY chunk size: large enough that a write is cheap per row, small enough to overlap with PostgreSQL. */
const CHUNK_BYTES = 256 * 1024;

/** A record that cannot be read: sent to the DLQ with its reason. */
export interface Undecodable {
  at: RollupOrigin;
  value: Buffer | null;
  reason: string;
}

export interface RollupRows extends RowBatch {
  /** Undecodable records so far (those found while streaming rows join as they are met). */
  readonly undecodable: ReadonlyMap<string, Undecodable>;
}

/** How the current schema's records are framed on this topic (a record's first bytes). */
interface CurrentFrame {
  schemaId: number | undefined;
  fingerprint: Buffer;
}

const probes = new WeakMap<AvroSerde, Map<string, Promise<number | undefined>>>();

/** A valid part, encoded once per topic only to learn the schema id its records carry. */
const PROBE: RollupPart = { partId: 'probe', serverId: 'probe', meter: 'probe', windowStartMs: 0, windowEndMs: 1, correction: false, state: { count: 0, sum: '0' } };

/**
 * The Confluent schema id of the current rollup schema under the topic's subject: what the
 * serde's own encode frames with (registering an identical schema again is a no-op). A failure
 * (registry away, a refusal) leaves every Confluent record to the general path this time.
 */
async function currentFrame(serde: AvroSerde, topic: string): Promise<CurrentFrame> {
  const fingerprint = currentSchema('rollup').fingerprint;
  let byTopic = probes.get(serde);
  if (!byTopic) probes.set(serde, (byTopic = new Map()));
  let id = byTopic.get(topic);
  if (!id) {
    id = serde.encode('rollup', topic, rollupToRecord(PROBE)).then((v) => {
      const f = parseFrame(v);
      return f.format === 'confluent' ? f.schemaId : undefined;
    });
    id.catch(() => byTopic.delete(topic));
    byTopic.set(topic, id);
  }
  return { schemaId: await id.catch(() => undefined), fingerprint };
}

/** Length of the frame head when the record was written with the current schema, else 0. */
function currentHead(v: Buffer, cur: CurrentFrame): number {
  if (v.length >= 5 && v[0] === 0 && cur.schemaId !== undefined && v.readUInt32BE(1) === cur.schemaId) return 5;
  if (v.length >= 10 && v[0] === 0xc3 && v[1] === 0x01 && v.compare(cur.fingerprint, 0, 8, 2, 10) === 0) return 10;
  return 0;
}

/** What the general reader says of a current-schema body (serde.decode's message for it). */
function generalDecode(v: Buffer, head: number): RollupPart {
  const what = head === 5 ? `schema id ${v.readUInt32BE(1)}` : `fingerprint ${v.subarray(2, 10).toString('hex')}`;
  try {
    return recordToRollup(currentSchema('rollup').type.fromBuffer(v.subarray(head)));
  } catch (err) {
    throw new Error(`cannot decode rollup record (${what}): ${(err as Error).message}`, { cause: err });
  }
}

/** Reads a fetched batch's records as rows for the store step. */
export async function rollupRows(
  batch: { topic: string; partition: number; messages: readonly KafkaMessage[] },
  serde: AvroSerde,
  role: string,
): Promise<RollupRows> {
  const cur = await currentFrame(serde, batch.topic);
  const undecodable = new Map<string, Undecodable>();
  const messages: KafkaMessage[] = [];
  /** Per kept record: the frame head's length (the hand writer's), or the part decoded the general way. */
  const how: (number | RollupPart)[] = [];
  for (const m of batch.messages) {
    const at = { topic: batch.topic, partition: batch.partition, offset: m.offset };
    const head = m.value ? currentHead(m.value, cur) : 0;
    if (head > 0) {
      messages.push(m);
      how.push(head);
      continue;
    }
    try {
      if (!m.value) throw new Error('record has no value');
      how.push(recordToRollup(await serde.decode('rollup', batch.topic, m.value)));
      messages.push(m);
    } catch (err) {
      // A registry that is away says nothing about the record: the whole batch waits.
      if (isKind(err, 'unavailable')) throw err;
      undecodable.set(m.offset, { at, value: m.value, reason: `${role}: ${(err as Error).message}` });
    }
  }
  const prefix = originPrefix(copyField(batch.topic), batch.partition);
  const origin = (m: KafkaMessage): RollupOrigin => ({ topic: batch.topic, partition: batch.partition, offset: m.offset });

  /** The part of kept record `i` (the general path), or undefined when it cannot be decoded. */
  const partOf = (i: number): RollupPart | undefined => {
    const m = messages[i] as KafkaMessage;
    const h = how[i] as number | RollupPart;
    if (typeof h !== 'number') return h;
    try {
      return generalDecode(m.value as Buffer, h);
    } catch (err) {
      undecodable.set(m.offset, { at: origin(m), value: m.value, reason: `${role}: ${(err as Error).message}` });
      return undefined;
    }
  };

  /** Index of the first kept record at or past `stored` (offsets ascend within a batch). */
  const firstFresh = (stored: bigint | undefined): number => {
    if (stored === undefined) return 0;
    let i = 0;
    while (i < messages.length && BigInt((messages[i] as KafkaMessage).offset) < stored) i++;
    return i;
  };

  function* chunks(from: number): Generator<Buffer> {
    const w = new RollupLineWriter(Buffer.allocUnsafe(CHUNK_BYTES));
    for (let i = from; i < messages.length; i++) {
      const m = messages[i] as KafkaMessage;
      const v = m.value as Buffer;
      const h = how[i] as number | RollupPart;
      const room = maxRowBytes(v.length, prefix.length);
      if (w.pos + room > w.out.length) {
        if (w.pos > 0) yield w.out.subarray(0, w.pos);
        w.out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
        w.pos = 0;
      }
      if (typeof h === 'number' && w.write(v, h, v.length, prefix, m.offset)) continue;
      const part = partOf(i);
      if (part === undefined) continue;
      const row = copyRow({ part, origin: origin(m) });
      const bytes = Buffer.byteLength(row);
      if (w.pos + bytes > w.out.length) {
        if (w.pos > 0) yield w.out.subarray(0, w.pos);
        w.out = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
        w.pos = 0;
      }
      w.pos += w.out.write(row, w.pos);
    }
    if (w.pos > 0) yield w.out.subarray(0, w.pos);
  }

  return {
    offered: messages.length,
    undecodable,
    fresh(stored): FreshRows {
      const from = firstFresh(stored);
      return {
        count: messages.length - from,
        chunks: () => chunks(from),
        parts() {
          const out: StoredPart[] = [];
          for (let i = from; i < messages.length; i++) {
            const part = partOf(i);
            if (part !== undefined) out.push({ part, origin: origin(messages[i] as KafkaMessage) });
          }
          return out;
        },
      };
    },
  };
}
