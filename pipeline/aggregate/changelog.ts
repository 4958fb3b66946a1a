// The aggregate role's state changelog: compacted topic `aggregate.state`, co-partitioned with
// metrics.raw (state of input partition p lives in changelog partition p, key "p"). Every
// aggregate transaction writes the partition's whole aggregator state and the next input
// offset beside the rollup parts it emits, so state, output and input position commit or abort
// together. Restoring reads the changelog partitions to their end (read_committed) and keeps
// the newest record per key.
import { randomUUID } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import type { Kafka } from 'kafkajs';
import type { AggregatorSnapshot } from '../aggregation/aggregator.js';
import { MeterlineError } from '../../lib/errors.js';

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

/**
 * Reads the changelog partitions `wanted` to their end and returns the newest checkpoint of
 * each (absent = never checkpointed). Call only after the partition's transactional producer
 * was initialised: that aborts or completes the previous owner's open transaction, so the end
 * read here is final.
 */
export async function readCheckpoints(
  kafka: Kafka,
  topic: string,
  wanted: readonly number[],
): Promise<Map<number, PartitionCheckpoint>> {
  const out = new Map<number, PartitionCheckpoint>();
  if (wanted.length === 0) return out;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `meterline-aggregate-restore-${randomUUID()}`;
  try {
    // read_committed end offsets (the last stable offset) of the partitions we need.
    const ends = new Map<number, bigint>();
    const low = new Map<number, bigint>();
    const offsets = await admin.fetchTopicOffsets(topic);
    const others = offsets.map((o) => o.partition).filter((p) => !wanted.includes(p));
    for (const o of offsets) {
      if (wanted.includes(o.partition)) {
        ends.set(o.partition, BigInt(o.high));
        low.set(o.partition, BigInt(o.low));
      }
    }
    const pending = new Set([...ends].filter(([p, end]) => end > (low.get(p) ?? 0n)).map(([p]) => p));
    if (pending.size === 0) return out;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxBytesPerPartition: 64 * 1024 * 1024,
      maxBytes: 128 * 1024 * 1024,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const progressed = (partition: number, lastOffset: string) => {
          const end = ends.get(partition);
          if (end !== undefined && BigInt(lastOffset) + 1n >= end) pending.delete(partition);
          if (pending.size === 0) resolve();
        };
        // Batches of only control records (commit markers) never reach eachBatch; this event
        // still reports how far the fetch got, so the end is always seen.
        consumer.on(consumer.events.END_BATCH_PROCESS, (e) =>
          progressed(e.payload.partition, e.payload.lastOffset),
        );
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
        const running = consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (!wanted.includes(batch.partition)) return;
            for (const m of batch.messages) {
              if (m.key?.toString() !== checkpointKey(batch.partition) || !m.value) continue;
              out.set(batch.partition, decodeCheckpoint(m.value));
            }
          },
        });
        // Only the wanted partitions are read (the others belong to other processes' restores).
        running.then(() => others.length > 0 && consumer.pause([{ topic, partitions: others }]), reject);
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}
