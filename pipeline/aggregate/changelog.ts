// The aggregate role's state changelog: compacted topic `aggregate.state`, co-partitioned with
// metrics.raw (state of input partition p lives in changelog partition p). Like a Kafka Streams
// store changelog it is incremental (pipeline/aggregation/changes.ts): each aggregate
// transaction writes, beside the rollup parts it emits, the meta record of the partition (key
// "p": clock, correction epoch, configuration header and the next input offset) and one record
// per server whose state changed (key "p/<server id>"; a tombstone when the server holds
// nothing any more) — O(changes) per commit, not O(state). State, output and input position
// commit or abort together. Restoring reads the changelog partition once to its end
// (read_committed) and keeps the newest record per key.
//
// Format 1 (the whole partition state, gzipped JSON, under key "p") is still read: a partition
// restored from it writes every server on its next commit, and the new meta replaces it.
// Server records are binary since format 3 (pipeline/aggregation/record-codec.ts); JSON server
// records of format 2 are still read beside them, and rewritten as each server next changes.
import { gzipSync, gunzipSync } from 'node:zlib';
import type { Kafka } from 'kafkajs';
import type { AggregatorSnapshot } from '../aggregation/aggregator.js';
import type { PartitionMeta, ServerRecord } from '../aggregation/changes.js';
import { MeterlineError } from '../../lib/errors.js';
import { encodePacked, isPacked } from '../aggregation/record-codec.js';
import { readToEnd, type PartitionRange } from '../../kafka/read-to-end.js';

export interface PartitionCheckpoint {
  version: 1;
  partition: number;
  /** The first input offset not yet reflected in `state` (Kafka offsets are 64-bit strings). */
  nextOffset: string;
  /** Aggregator.snapshotPartition(p); undefined before the partition's first record. */
  state?: AggregatorSnapshot;
}

/** JSON, gzipped here (not by Kafka) so the size check below sees what the broker stores. */
export const encodeCheckpoint = (c: PartitionCheckpoint): Buffer =>
  gzipSync(Buffer.from(JSON.stringify(c)), { level: 1 });

export function decodeCheckpoint(value: Buffer): PartitionCheckpoint {
  const c = JSON.parse(gunzipSync(value).toString('utf8')) as PartitionCheckpoint;
  if (c.version !== 1 || !Number.isInteger(c.partition) || !/^\d+$/.test(c.nextOffset)) {
    throw new MeterlineError(
      'internal',
      `aggregate.state: unreadable checkpoint (version ${String(c.version)})`,
    );
  }
  return c;
}

export const checkpointKey = (partition: number): string => String(partition);
export const serverKey = (partition: number, serverId: string): string => `${partition}/${serverId}`;

/** The meta record (format 2): the partition's meta and the first input offset not in its state. */
export interface MetaCheckpoint extends PartitionMeta {
  nextOffset: string;
}

export const encodeMeta = (m: MetaCheckpoint): Buffer => Buffer.from(JSON.stringify(m));
/** A server record, format 3 (binary, record-codec.ts): small, and restored without parsing text. */
export const encodeServer = (r: ServerRecord): Buffer => encodePacked(r);
/**
 * A stored server record as restoreFromRecords takes it: a binary one stays a Buffer (decoded
 * straight into the slab), a JSON one (format 2, written before the upgrade) is parsed.
 */
export const decodeServer = (b: Buffer): ServerRecord | Buffer => (isPacked(b) ? b : (JSON.parse(b.toString('utf8')) as ServerRecord));

/** A meta record of either format (format 1 is gzipped, so it starts with the gzip magic). */
export function decodeMeta(value: Buffer): PartitionCheckpoint | MetaCheckpoint {
  if (value[0] === 0x1f && value[1] === 0x8b) return decodeCheckpoint(value);
  const m = JSON.parse(value.toString('utf8')) as MetaCheckpoint;
  if (m.version !== 2 || !Number.isInteger(m.partition) || !/^\d+$/.test(m.nextOffset)) {
    throw new MeterlineError('internal', `aggregate.state: unreadable checkpoint (version ${String(m.version)})`);
  }
  return m;
}

/** What the changelog holds for one partition: its newest meta and server records. */
export interface StoredPartition {
  meta: PartitionCheckpoint | MetaCheckpoint;
  /** Newest record of each server (tombstoned servers absent); binary ones undecoded. */
  servers: Array<ServerRecord | Buffer>;
}

/**
 * Reads the changelog partitions `wanted` to their end, once, and returns the newest meta and
 * server records of each (absent = never checkpointed). Call only after the partition's
 * transactional producer was initialised: that aborts or completes the previous owner's open
 * transaction, so the end read here is final. Each record is seen once and in order, also
 * across a consumer kafkajs restarted (kafka/read-to-end.ts): a partition is never rewound to
 * an older record of a key.
 */
export async function readChangelog(
  kafka: Kafka,
  topic: string,
  wanted: readonly number[],
): Promise<Map<number, StoredPartition>> {
  const out = new Map<number, StoredPartition>();
  const metas = new Map<number, Buffer>();
  const servers = new Map<number, Map<string, Buffer>>();
  if (wanted.length === 0) return out;
  const admin = kafka.admin();
  await admin.connect();
  let ranges: PartitionRange[];
  try {
    // read_committed end offsets (the last stable offset) of the partitions we need.
    ranges = (await admin.fetchTopicOffsets(topic))
      .filter((o) => wanted.includes(o.partition) && BigInt(o.high) > BigInt(o.low))
      .map((o) => ({ partition: o.partition, from: BigInt(o.low), upTo: BigInt(o.high) - 1n }));
  } finally {
    await admin.disconnect();
  }
  for (const r of ranges) servers.set(r.partition, new Map());
  await readToEnd({
    kafka,
    topic,
    ranges,
    groupPrefix: 'meterline-aggregate-restore',
    maxBytesPerPartition: 64 * 1024 * 1024,
    maxBytes: 128 * 1024 * 1024,
    onRecords: (partition, messages) => {
      const mine = servers.get(partition) as Map<string, Buffer>;
      const metaKey = checkpointKey(partition);
      const prefix = `${metaKey}/`;
      // Newest record per key; decoded once at the end (most keys are rewritten often).
      for (const m of messages) {
        const key = m.key?.toString() ?? '';
        if (key === metaKey) {
          if (m.value) metas.set(partition, m.value);
        } else if (key.startsWith(prefix)) {
          if (m.value) mine.set(key, m.value);
          else mine.delete(key);
        }
      }
    },
  });
  for (const [p, value] of metas) {
    const records = [...(servers.get(p)?.values() ?? [])].map(decodeServer);
    out.set(p, { meta: decodeMeta(value), servers: records });
  }
  return out;
}
