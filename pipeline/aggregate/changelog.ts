// The aggregate role's state changelog: compacted topic `aggregate.state`, co-partitioned with
// metrics.raw (state of input partition p lives in changelog partition p). Like a Kafka Streams
// windowed store's changelog it is incremental and keyed by window (state-keys.ts): each
// aggregate transaction writes, beside the rollup parts it emits, the meta record of the
// partition (key "p": clock, correction epoch, configuration header and the next input offset),
// one record per window and per server's counter baselines that changed, and a tombstone for
// each record whose window was emitted or server swept — O(changes) per commit, not O(state).
// State, output and input position commit or abort together. Restoring reads the changelog
// partition once to its end (read_committed) and keeps the newest record per key.
//
// Earlier formats are still read: format 1 (the whole partition state, gzipped JSON, under key
// "p"), and one record per server (key "p/<server id>": JSON in format 2, binary in format 3).
// A partition restored from them writes all its state in format 4 on its next commit, and
// deletes their keys.
import { gzipSync, gunzipSync } from 'node:zlib';
import type { Kafka } from 'kafkajs';
import type { AggregatorSnapshot } from '../aggregation/aggregator.js';
import type { PartitionMeta } from '../aggregation/changes.js';
import { MeterlineError } from '../../lib/errors.js';
import { metaKey } from '../aggregation/state-keys.js';
import { readToEnd, type PartitionRange } from '../../kafka/read-to-end.js';
import { StateRecords } from './state-records.js';

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

export const checkpointKey = metaKey;

/** The meta record (formats 2 and 4): the partition's meta and the first input offset not in its state. */
export interface MetaCheckpoint extends PartitionMeta {
  nextOffset: string;
}

export const encodeMeta = (m: MetaCheckpoint): Buffer => Buffer.from(JSON.stringify(m));

/** A meta record of either format (format 1 is gzipped, so it starts with the gzip magic). */
export function decodeMeta(value: Buffer): PartitionCheckpoint | MetaCheckpoint {
  if (value[0] === 0x1f && value[1] === 0x8b) return decodeCheckpoint(value);
  const m = JSON.parse(value.toString('utf8')) as MetaCheckpoint;
  const ok = m.version === 2 || (m.version === 3 && Array.isArray(m.order));
  if (!ok || !Number.isInteger(m.partition) || !/^\d+$/.test(m.nextOffset)) {
    throw new MeterlineError('internal', `aggregate.state: unreadable checkpoint (version ${String(m.version)})`);
  }
  return m;
}

/** What the changelog holds for one partition: its newest meta and state records. */
export interface StoredPartition {
  meta: PartitionCheckpoint | MetaCheckpoint;
  /** Newest record of each state key (state-keys.ts; deleted keys absent), undecoded. */
  records: StateRecords;
  /** Records read to get them: with those compaction has not yet removed (a restore's cost). */
  read: number;
}

/** The changelog read's fetch sizes (per partition, and in all: one partition is read at a time). */
const RESTORE_FETCH_PARTITION_BYTES = 8 * 1024 * 1024;
const RESTORE_FETCH_BYTES = 8 * 1024 * 1024;

/**
 * Reads the changelog partitions `wanted` to their end, once, one partition after the other,
 * and hands each one's newest meta and state records to `each` (undefined = never
 * checkpointed) as soon as that partition is read; its records are let go when `each` returns,
 * before the next partition is fetched — a restore holds one partition's records at a time,
 * not all of them. Every wanted partition is handed over exactly once. Call only after the
 * partitions' transactional producers were initialised: that aborts or completes the previous
 * owner's open transaction, so the end read here is final. Each record is seen once and in
 * order, also across a consumer kafkajs restarted (kafka/read-to-end.ts): a partition is never
 * rewound to an older record of a key.
 */
export async function readChangelogEach(
  kafka: Kafka,
  topic: string,
  wanted: readonly number[],
  each: (partition: number, stored: StoredPartition | undefined) => void | Promise<void>,
): Promise<void> {
  if (wanted.length === 0) return;
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
  // Per partition being read: one at a time (onePartitionAtATime), so normally one entry; kept
  // apart all the same, whatever kafkajs delivers from a fetch made before a pause.
  const reading = new Map<number, { meta?: Buffer; records: StateRecords; read: number }>();
  await readToEnd({
    kafka,
    topic,
    ranges,
    groupPrefix: 'meterline-aggregate-restore',
    onePartitionAtATime: true,
    // Small fetches: kafkajs decodes a whole fetch into message objects at once, and those of
    // a 128 MiB fetch (a million records) lived long enough to be promoted — 0.9 GB of heap
    // restoring 100 000 servers with 11 open windows each. A larger record (format 1's whole
    // state) still comes whole: the broker returns a partition's first batch whatever its size.
    maxBytesPerPartition: RESTORE_FETCH_PARTITION_BYTES,
    maxBytes: RESTORE_FETCH_BYTES,
    onRecords: (partition, messages) => {
      let r = reading.get(partition);
      if (r === undefined) reading.set(partition, (r = { records: new StateRecords(), read: 0 }));
      r.read += messages.length;
      const metaKey = checkpointKey(partition);
      const legacy = `${metaKey}/`;
      const windows = `${metaKey}#`;
      // Newest record per key; decoded once at the end (most keys are rewritten often).
      for (const m of messages) {
        const key = m.key?.toString() ?? '';
        if (key === metaKey) {
          if (m.value) r.meta = Buffer.from(m.value);
        } else if (key.startsWith(windows) || key.startsWith(legacy)) {
          if (m.value) r.records.set(key, m.value); // copied (state-records.ts)
          else r.records.delete(key);
        }
      }
    },
    onPartitionEnd: async (partition) => {
      const r = reading.get(partition);
      reading.delete(partition);
      await each(partition, r?.meta === undefined ? undefined : { meta: decodeMeta(r.meta), records: r.records, read: r.read });
    },
  });
  // Partitions with nothing in the changelog.
  for (const p of wanted) if (!ranges.some((r) => r.partition === p)) await each(p, undefined);
}

/** readChangelogEach's partitions collected: every one's records held at once (tests, tools). */
export async function readChangelog(kafka: Kafka, topic: string, wanted: readonly number[]): Promise<Map<number, StoredPartition>> {
  const out = new Map<number, StoredPartition>();
  await readChangelogEach(kafka, topic, wanted, (p, stored) => {
    if (stored) out.set(p, stored);
  });
  return out;
}
