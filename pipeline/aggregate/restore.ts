// Taking partitions over (aggregate role): fence each partition's transactional id (aborting a
// previous owner's open transaction), then read the changelog once, one partition after the
// other, and as soon as a partition is read rebuild its state — or migrate it, when the meters
// or the window changed (pipeline/aggregation/migrate.ts) — and move the consumer to the
// checkpoint's next offset. Without a checkpoint the partition resumes where the group says (or
// at its start), never at the consumer's in-memory position: after a failed first commit that
// position is past records whose output was aborted. Before the partition is ready, sample-id
// claims Redis lost below the checkpoint are rebuilt (dedup-rebuild.ts).
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Aggregator, Migration } from '../aggregation/aggregator.js';
import { startOffsets } from '../../kafka/consumer/offsets.js';
import { readChangelogEach, type StoredPartition } from './changelog.js';
import type { PartitionOwner } from './owner.js';
import type { AvroSerde } from '../../avro/serde.js';
import type { SampleDedup } from './dedup.js';
import { rebuildClaims } from './dedup-rebuild.js';

export interface RestoreDeps {
  kafka: Kafka;
  /** Moves the group consumer's position in a partition (the runner's, kafka/consumer/handler.ts). */
  seek(partition: number, offset: string): void;
  agg: Aggregator;
  serde: AvroSerde;
  dedup: SampleDedup;
  groupId: string;
  topics: { raw: string; state: string };
  log: Logger;
  onRestored?: (info: { partition: number; ms: number; servers: number; records: number }) => void;
}

/** Restores the owners still `restoring` in one pass; throws when fencing or reading fails. */
export async function restorePartitions(d: RestoreDeps, list: readonly PartitionOwner[]): Promise<void> {
  const t0 = performance.now();
  await Promise.all(list.map((o) => o.fence()));
  const pass = { t0, fenceMs: Math.round(performance.now() - t0), partitions: list.length };
  const owners = new Map(list.map((o) => [o.partition, o]));
  // Each partition is restored as soon as its changelog is read, before the next one is read:
  // one partition's records in memory at a time (readChangelogEach).
  let readFrom = performance.now();
  await readChangelogEach(d.kafka, d.topics.state, [...owners.keys()], async (partition, c) => {
    const readMs = Math.round(performance.now() - readFrom);
    const o = owners.get(partition);
    if (o) await restoreOne(d, o, c, { ...pass, readMs });
    c?.records.clear();
    readFrom = performance.now();
  });
}

interface PassTimes {
  t0: number;
  /** Fencing every partition of the pass (a killed owner's open transaction is aborted first). */
  fenceMs: number;
  partitions: number;
  /** Reading this partition's changelog. */
  readMs: number;
}

async function restoreOne(d: RestoreDeps, o: PartitionOwner, c: StoredPartition | undefined, pass: PassTimes): Promise<void> {
  if (o.status !== 'restoring') return; // revoked meanwhile
  const start = c?.meta.nextOffset ?? (await startOffsets(d.kafka, d.groupId, d.topics.raw, [o.partition])).get(o.partition);
  await rebuildClaims({ kafka: d.kafka, serde: d.serde, dedup: d.dedup, topic: d.topics.raw, log: d.log }, o.partition, start);
  if (o.status !== 'restoring') return;
  d.agg.revokePartition(o.partition);
  // nowMs restarts the idle clock: the old owner's processing time means nothing here.
  const now = Date.now();
  let migration: Migration | undefined;
  const meta = c?.meta;
  const records = c?.records.size ?? 0;
  if (meta?.version === 1) {
    if (meta.state) {
      migration = d.agg.restoreOrMigrate(meta.state, now);
      d.agg.markAllChanged(o.partition); // format 1: the next commit writes everything
    }
  } else if (meta !== undefined) migration = d.agg.restoreFromRecords(meta, c?.records ?? [], now);
  if (migration && migration.migrated.length > 0) {
    // Published by the next commit; a crash before it migrates the same state again.
    o.emitted(migration.parts, now);
    d.log.warn(
      { partition: o.partition, changes: migration.migrated, parts: migration.parts.length },
      'aggregate: meters or window changed; open windows emitted under the old configuration',
    );
  }
  o.nextOffset = start;
  o.status = 'ready';
  if (start !== undefined) d.seek(o.partition, start);
  const ms = performance.now() - pass.t0;
  const servers = d.agg.serverCount(o.partition);
  const changelogRead = c?.read ?? 0;
  d.log.info(
    { partition: o.partition, nextOffset: start, servers, records, ms: Math.round(ms), fenceMs: pass.fenceMs, readMs: pass.readMs, changelogRead, partitionsInPass: pass.partitions },
    'aggregate: partition restored',
  );
  d.onRestored?.({ partition: o.partition, ms, servers, records });
}
