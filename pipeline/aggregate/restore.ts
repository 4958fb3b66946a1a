// Taking partitions over (aggregate role): fence each partition's transactional id (aborting a
// previous owner's open transaction), read the changelog once, rebuild — or migrate, when the
// meters or the window changed (pipeline/aggregation/migrate.ts) — the state, and move the
// consumer to the checkpoint's next offset. Without a checkpoint the partition resumes where the
// group says (or at its start), never at the consumer's in-memory position: after a failed
// first commit that position is past records whose output was aborted. Before the partition
// is ready, sample-id claims Redis lost below the checkpoint are rebuilt (dedup-rebuild.ts).
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Aggregator, Migration } from '../aggregation/aggregator.js';
import { startOffsets } from '../../kafka/consumer/offsets.js';
import { readChangelog } from './changelog.js';
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
  const stored = await readChangelog(d.kafka, d.topics.state, list.map((o) => o.partition));
  const starts = await startOffsets(d.kafka, d.groupId, d.topics.raw, list.filter((o) => !stored.has(o.partition)).map((o) => o.partition));
  for (const o of list) {
    if (o.status !== 'restoring') continue; // revoked meanwhile
    const c = stored.get(o.partition);
    const start = c?.meta.nextOffset ?? starts.get(o.partition);
    await rebuildClaims({ kafka: d.kafka, serde: d.serde, dedup: d.dedup, topic: d.topics.raw, log: d.log }, o.partition, start);
    if (o.status !== 'restoring') continue;
    d.agg.revokePartition(o.partition);
    // nowMs restarts the idle clock: the old owner's processing time means nothing here.
    const now = Date.now();
    let migration: Migration | undefined;
    const meta = c?.meta;
    if (meta?.version === 1) {
      if (meta.state) {
        migration = d.agg.restoreOrMigrate(meta.state, now);
        d.agg.markAllChanged(o.partition); // format 1: the next commit writes everything
      }
    } else if (meta !== undefined) migration = d.agg.restoreFromRecords(meta, c?.records ?? new Map(), now);
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
    const ms = performance.now() - t0;
    const records = c?.records.size ?? 0;
    const servers = d.agg.serverCount(o.partition);
    d.log.info({ partition: o.partition, nextOffset: start, servers, records, ms: Math.round(ms) }, 'aggregate: partition restored');
    d.onRestored?.({ partition: o.partition, ms, servers, records });
  }
}
