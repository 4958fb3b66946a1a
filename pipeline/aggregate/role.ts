// The aggregate role: metrics.raw → event-time windows → usage.rollups, exactly once.
//
// The data flow, as the shared consumer runner (kafka/consumer/runner.ts, 'transaction' mode)
// drives it:
//
//   group join    partitions gained → fenced and restored (partitions.ts, restore.ts); lost → dropped
//   each batch    waits for its partition's restore; stale after the restore's seek → dropped
//   each slice    decode → dedup claims → aggregator (apply-slice.ts) → the owner's pending work;
//                 a commit when `commitEveryRecords` records or `commitEveryMs` are pending;
//                 a slice that closes many windows waits for the other partitions' closes to
//                 commit (close-gate.ts) and commits at once
//   timer         the aggregator ticked (idle partitions close their windows), idle work committed
//   stop          consuming stopped, what is pending committed, producers closed
//
// Consumer group `meterline-aggregate`, read_committed; the runner commits no offsets: one
// Aggregator (the pure core) holds the state of every partition this process owns, and per
// owned partition (owner.ts) a transactional producer commits the emitted parts, dead letters,
// the partition's state changes (aggregate.state, changelog.ts) and the consumed offset in one
// transaction. On assignment a partition is fenced (its transactional id initialised), its
// changelog read, its state restored and the consumer moved to the checkpoint's next offset;
// records before it are skipped. Any failed commit drops the partition's state and restores it
// from the last checkpoint, so what was emitted always matches what the state says was
// consumed. Duplicates are claimed in Redis consistently with the transactions (dedup.ts).
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AvroSerde } from '../../avro/serde.js';
import { roleHealth, type RoleHealth } from '../../roles/health.js';
import { Aggregator, type AggregatorConfig } from '../aggregation/aggregator.js';
import type { SampleDedup } from './dedup.js';
import { runConsumer, type SliceApplier } from '../../kafka/consumer/runner.js';
import type { CommitInfo, OwnerTopics } from './owner.js';
import { kafkajsTransactions, type Transactions } from './transaction.js';
import { OwnedPartitions } from './partitions.js';
import { applySlice, EmittedParts, type SliceDeps } from './apply-slice.js';
import { CloseGate } from './close-gate.js';
import { trimMalloc } from '../../lib/malloc-trim.js';
import { collectGarbage } from '../../lib/full-gc.js';
import { AGGREGATE_GROUP } from '../../kafka/groups.js';

export { AGGREGATE_GROUP };

export interface AggregateOptions {
  kafka: Kafka;
  /** The partitions' transactional producers (transaction.ts); default: kafkajs on `kafka`. Closed by stop(). */
  transactions?: Transactions;
  serde: AvroSerde;
  dedup: SampleDedup;
  topics: OwnerTopics;
  aggregator: Omit<AggregatorConfig, 'topic'>;
  log: Logger;
  metrics?: Metrics;
  /** The consumer's readiness (`consumer` while it is down or cannot join); default: a private one. */
  health?: RoleHealth;
  /** Consumer group; transactional ids are `<groupId>-<partition>`. */
  groupId?: string;
  commitEveryRecords?: number;
  commitEveryMs?: number;
  /** How often the aggregator is ticked (idleness) and time-based commits are checked. */
  tickMs?: number;
  sessionTimeoutMs?: number;
  onCommit?: (info: CommitInfo) => void;
  /** After each partition's restore: how long it took (fence, changelog read, rebuild). */
  onRestored?: (info: { partition: number; ms: number; servers: number }) => void;
}

export interface AggregateRole {
  stop(): Promise<void>;
  /** Partitions this process owns and has restored. */
  owned(): number[];
  /**
   * Partitions that cannot make progress (restore failing, or commits failing again and
   * again) and a consumer that is down, with the reason: /readyz reports them (index.ts).
   * Empty when all is well.
   */
  problems(): Record<string, string>;
  /** A server's split points changed (subscription-feed.ts): cut its windows anew. */
  splitPointsChanged(serverId: string): void;
}

export const DEFAULT_COMMIT_EVERY_RECORDS = 50_000;
export const DEFAULT_COMMIT_EVERY_MS = 1000;
/** Records applied between two commit checks (about 0.1–0.3 s of work). */
const SLICE_RECORDS = 1000;
/**
 * Fetch sizes (issue 11: memory). kafkajs decodes a whole fetch into message objects at once
 * (≈ 300 bytes of heap per ~100-byte sample record, beside the response buffer they slice), and
 * the role applies a fetch in slices anyway: 32 MiB fetches held the whole 300 000-sample bench
 * topic in memory. 128 KiB per partition is still ≈ 1 000 – 1 300 records, a slice or more,
 * and a fetch's records die sooner: at 100 000 servers 512 KiB / 4 MiB → 128 KiB / 1 MiB took
 * the role's peak RSS from 652 – 697 to 590 – 653 MiB at the same CPU per sample
 * (docs/performance.md, "The aggregate role's own memory").
 */
const FETCH_BYTES_PER_PARTITION = 128 * 1024;
const FETCH_BYTES = 1024 * 1024;
/**
 * A close of at least this many rows (≈ 6 parts each with the example catalogue: ≈ 1.5 MiB
 * encoded, as much again in librdkafka) waits for the gate and commits at once (close-gate.ts).
 * Smaller ones go as any slice: at 1 000 servers every slice closes a window of a few hundred
 * rows, and a commit (and a wait) per slice would cost more than their memory.
 */
const GATED_CLOSE_ROWS = 2000;
/** At most one full GC before a gated close per this long (a backlog closes windows often). */
const GC_BEFORE_CLOSE_INTERVAL_MS = 1000;

export async function startAggregate(opts: AggregateOptions): Promise<AggregateRole> {
  const { kafka, serde, dedup, topics, log, metrics } = opts;
  const groupId = opts.groupId ?? AGGREGATE_GROUP;
  const everyRecords = opts.commitEveryRecords ?? DEFAULT_COMMIT_EVERY_RECORDS;
  const everyMs = opts.commitEveryMs ?? DEFAULT_COMMIT_EVERY_MS;
  const agg = new Aggregator({ ...opts.aggregator, topic: topics.raw });
  const transactions = opts.transactions ?? kafkajsTransactions(kafka);
  const health = opts.health ?? roleHealth('aggregate');
  const { onCommit, onRestored } = opts;
  const owned = new OwnedPartitions({ kafka, agg, transactions, serde, dedup, topics, groupId, log, metrics, onCommit, onRestored });
  const closes = new CloseGate();
  const slice: SliceDeps = { agg, serde, dedup, log, metrics, current: (o) => owned.current(o), lose: (o, err) => owned.lose(o, err) };

  /**
   * A close's commit settled: the gate opens for the next partition, and the memory the close's
   * records took in glibc's arena (librdkafka's copies: lib/malloc-trim.ts) goes back to the
   * system before the next close needs it.
   */
  const closed = (release: () => void) => (): void => {
    release();
    trimMalloc();
  };

  /** A batch of partition p: once restored, its slices go to the owner of that moment. */
  async function batch(p: number): Promise<SliceApplier | undefined> {
    const o = await owned.whenReady(p);
    if (o === undefined) return undefined;
    const from = o.nextOffset;
    return async (records, tools) => {
      // Lost, revoked or stopping since the last slice: the rest stays unresolved.
      if (!owned.current(o) || owned.stopping) return false;
      // A slice that closes many windows waits for the gate (close-gate.ts) and holds it until
      // the commit carrying its close settles: that commit is taken at once.
      let release: (() => void) | undefined;
      const gate = async (maxTsMs: number): Promise<void> => {
        if (agg.rowsClosedBy(p, maxTsMs) < GATED_CLOSE_ROWS) return;
        release = await closes.take();
        // The close's allocations start from the live heap (lib/full-gc.ts).
        collectGarbage(GC_BEFORE_CLOSE_INTERVAL_MS);
      };
      if (!(await applySlice(slice, o, records, from, tools.heartbeat, gate))) {
        release?.();
        return false;
      }
      const now = Date.now();
      if (release !== undefined || o.pendingRecords() >= everyRecords || now - o.pendingSinceMs() >= everyMs) {
        // One transaction may be in flight while the next records are applied (the owner took
        // its snapshot synchronously; what is applied now belongs to the next one). A second
        // one waits for both: the back-pressure that bounds what is held between commits.
        const committed = owned.commit(o);
        if (release !== undefined) void committed.then(closed(release), closed(release));
        if (o.commitsInFlight() > 1) await committed;
      }
      return true;
    };
  }

  function tick(): void {
    if (owned.stopping) return;
    const now = Date.now();
    const emitted = new EmittedParts((v) => owned.owner(v.partition)?.emittedView(v, now));
    agg.tick(now, emitted);
    emitted.observe(metrics);
    owned.commitIdle(now, everyMs);
  }

  const running = await runConsumer({
    commit: 'transaction',
    role: 'aggregate',
    kafka,
    groupId,
    topic: topics.raw,
    log,
    health,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: FETCH_BYTES,
    ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
    partitionsConsumedConcurrently: 3,
    sliceRecords: SLICE_RECORDS,
    timer: { everyMs: opts.tickMs ?? Math.min(1000, everyMs), tick },
    partitions: {
      assigned: (partitions, position) => owned.assigned(partitions, position),
      revoked: (partitions) => owned.revoked(partitions),
      batch,
      // Commit what is pending, then leave with everything closed.
      stopped: () => owned.commitAll(),
    },
  });
  log.info({ groupId, topic: topics.raw }, 'aggregate started');

  return {
    problems: () => ({ ...health.problems(), ...owned.problems() }),
    splitPointsChanged: (serverId) => agg.splitPointsChanged(serverId),
    owned: () => owned.owned(),
    async stop() {
      owned.stopping = true;
      await running.stop();
      await transactions.close();
    },
  };
}
