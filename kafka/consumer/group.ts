// The group side of the shared runner: the consumer settings every consuming role shares, and
// the assignment as partitions gained and lost at each group join (kafkajs reports only the
// whole set, so a role that owns partitions could not tell newly owned from revoked ones).
import type { Consumer, ConsumerConfig } from 'kafkajs';
import type { PartitionHooks, Position } from './handler.js';

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  /** Bytes per partition per fetch (a role applies a fetch in slices, fetch-batch.ts). */
  maxBytesPerPartition?: number;
  /** Bytes per fetch over all partitions (default 32 MiB). */
  maxBytes?: number;
}

/** read_committed, no auto-commit (the run's setting), heartbeats at a third of the session. */
export function consumerConfig(o: GroupConsumerOptions): ConsumerConfig {
  const session = o.sessionTimeoutMs ?? 30_000;
  return {
    groupId: o.groupId,
    readUncommitted: false,
    maxBytesPerPartition: o.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: o.maxBytes ?? 32 * 1024 * 1024,
    sessionTimeout: session,
    heartbeatInterval: Math.min(3000, Math.floor(session / 3)),
  };
}

/**
 * After every group join, tells `hooks` which partitions of `topic` left this member (first)
 * and which joined it. A rejoin with the same assignment (a rebalance elsewhere, a consumer
 * restarted by supervision) changes nothing, so restored state is kept.
 */
export function trackAssignment(consumer: Consumer, topic: string, hooks: Pick<PartitionHooks, 'assigned' | 'revoked'>): void {
  const position: Position = { seek: (partition, offset) => consumer.seek({ topic, partition, offset }) };
  let owned = new Set<number>();
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const now = new Set<number>(e.payload.memberAssignment[topic] ?? []);
    const gone = [...owned].filter((p) => !now.has(p));
    const fresh = [...now].filter((p) => !owned.has(p));
    owned = now;
    if (gone.length > 0) hooks.revoked(gone);
    if (fresh.length > 0) hooks.assigned(fresh, position);
  });
}
