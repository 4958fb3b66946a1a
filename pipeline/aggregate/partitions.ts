// The input partitions this aggregate process owns, one PartitionOwner each (owner.ts), and
// their life: taken over when the group assigns them (fenced, restored from the changelog:
// restore.ts), dropped when revoked, committed when due, and — after a failed commit or
// restore — dropped and restored again from the last checkpoint, reported stuck after
// repeated failures (/readyz, index.ts).
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AvroSerde } from '../../avro/serde.js';
import type { Aggregator } from '../aggregation/aggregator.js';
import type { Position } from '../../kafka/consumer/handler.js';
import type { SampleDedup } from './dedup.js';
import { restorePartitions } from './restore.js';
import { PartitionOwner, type CommitInfo, type OwnerTopics } from './owner.js';
import type { Transactions } from './transaction.js';

/** Consecutive failed commits or restores of a partition before it is reported as stuck. */
const STUCK_AFTER_FAILURES = 3;

export interface PartitionsDeps {
  kafka: Kafka;
  agg: Aggregator;
  transactions: Transactions;
  serde: AvroSerde;
  dedup: SampleDedup;
  topics: OwnerTopics;
  groupId: string;
  log: Logger;
  metrics?: Metrics | undefined;
  onCommit?: ((info: CommitInfo) => void) | undefined;
  onRestored?: ((info: { partition: number; ms: number; servers: number }) => void) | undefined;
}

const reason = (err: unknown): string => String((err as Error)?.message ?? err);

export class OwnedPartitions {
  private readonly owners = new Map<number, PartitionOwner>();
  /** Consecutive failures per partition, and the partitions reported stuck (problems()). */
  private readonly failures = new Map<number, number>();
  private readonly stuck = new Map<string, string>();
  /** Where a restore moves the consumer (the runner's, from the first assignment on). */
  private position: Position | undefined;
  /** Set by the role's stop(): no batch applied, no restore started any more. */
  stopping = false;

  constructor(private readonly d: PartitionsDeps) {}

  /** Newly assigned partitions: one owner each, restored together (one changelog read). */
  assigned(partitions: readonly number[], position: Position): void {
    this.position = position;
    const fresh = partitions.map((p) => this.take(p));
    const done = this.restore(fresh);
    for (const o of fresh) o.ready = done;
  }

  revoked(partitions: readonly number[]): void {
    for (const p of partitions) {
      const o = this.owners.get(p);
      if (!o) continue;
      this.owners.delete(p);
      this.d.agg.revokePartition(p);
      void o.close('revoked');
      this.failures.delete(p);
      this.stuck.delete(`partition ${p}`);
      this.d.log.info({ partition: p }, 'aggregate: partition revoked');
    }
  }

  /** p's owner once its restore is done, if it is still p's owner and ready then. */
  async whenReady(p: number): Promise<PartitionOwner | undefined> {
    const o = this.owners.get(p);
    if (!o || this.stopping) return undefined;
    await o.ready;
    return this.current(o) ? o : undefined;
  }

  /** Still the ready owner of its partition (not lost or revoked since it was taken). */
  current(o: PartitionOwner): boolean {
    return o.status === 'ready' && this.owners.get(o.partition) === o;
  }

  /** The owner of `p`, whatever its status (a tick's parts go to it). */
  owner(p: number): PartitionOwner | undefined {
    return this.owners.get(p);
  }

  /** Commits `o` (its failure drops and restores the partition); settles either way. */
  commit(o: PartitionOwner): Promise<void> {
    return o.commit(this.d.agg, this.d.serde, this.d.topics, this.d.groupId).then(
      (info) => {
        if (!info) return;
        this.failures.delete(o.partition);
        this.stuck.delete(`partition ${o.partition}`);
        this.d.metrics?.rollupsEmitted.inc({ correction: 'false' }, info.parts - info.corrections);
        this.d.metrics?.rollupsEmitted.inc({ correction: 'true' }, info.corrections);
        this.d.metrics?.aggregateCommitSeconds.observe(info.durationMs / 1000);
        this.d.log.debug(info, 'aggregate: committed');
        this.d.onCommit?.(info);
      },
      (err: unknown) => this.lose(o, err),
    );
  }

  /** The timer's commits: every ready partition with work older than `everyMs`. */
  commitIdle(nowMs: number, everyMs: number): void {
    for (const o of this.owners.values()) {
      if (o.status === 'ready' && o.dirty && nowMs - o.pendingSinceMs() >= everyMs) void this.commit(o);
    }
  }

  /** On stop, consuming over: commit what is pending, then close every owner. */
  async commitAll(): Promise<void> {
    await Promise.all(
      [...this.owners.values()].map(async (o) => {
        await o.settled();
        await this.commit(o);
        await o.close('revoked');
      }),
    );
  }

  /** Drops a partition's state after a failed commit or restore; restores it again unless revoked. */
  lose(o: PartitionOwner, err: unknown): void {
    if (o.status === 'revoked') return;
    const n = (this.failures.get(o.partition) ?? 0) + 1;
    this.failures.set(o.partition, n);
    if (n >= STUCK_AFTER_FAILURES) this.stuck.set(`partition ${o.partition}`, `${n} failed commits/restores in a row; last: ${reason(err)}`);
    const fenced = /fenced|epoch/i.test(reason(err));
    this.d.log.warn({ partition: o.partition, err: reason(err) }, 'aggregate: partition state dropped; restoring from its checkpoint');
    this.d.agg.revokePartition(o.partition);
    void o.close('lost').then(() => {
      // Fenced: someone else owns it now; our rebalance will say so. Wait longer before retrying.
      setTimeout(
        () => {
          if (this.stopping || this.owners.get(o.partition) !== o || o.status !== 'lost') return;
          const fresh = this.take(o.partition);
          fresh.ready = this.restore([fresh]);
        },
        fenced ? 5000 : 1000,
      ).unref();
    });
  }

  /** Partitions owned and restored. */
  owned(): number[] {
    return [...this.owners.values()]
      .filter((o) => o.status === 'ready')
      .map((o) => o.partition)
      .sort((a, b) => a - b);
  }

  problems(): Record<string, string> {
    return Object.fromEntries(this.stuck);
  }

  private take(p: number): PartitionOwner {
    const o = new PartitionOwner(p, this.d.transactions, `${this.d.groupId}-${p}`);
    this.owners.set(p, o);
    return o;
  }

  /** Fences, reads the changelog and restores a set of newly owned partitions (restore.ts). */
  private async restore(list: PartitionOwner[]): Promise<void> {
    const { kafka, agg, serde, dedup, groupId, topics, log, onRestored } = this.d;
    const position = this.position;
    try {
      if (position === undefined) throw new Error('no consumer position to restore with');
      const seek = (p: number, offset: string) => position.seek(p, offset);
      await restorePartitions({ kafka, seek, agg, serde, dedup, groupId, topics, log, ...(onRestored ? { onRestored } : {}) }, list);
    } catch (err) {
      log.error({ err, partitions: list.map((o) => o.partition) }, 'aggregate: restore failed; retrying');
      for (const o of list) if (o.status === 'restoring') this.lose(o, err);
    }
  }
}
