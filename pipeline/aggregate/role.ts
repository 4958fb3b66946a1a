// The aggregate role: metrics.raw → event-time windows → usage.rollups, exactly once.
//
// Consumer group `meterline-aggregate`, read_committed, no auto-commit; one Aggregator (the
// pure core) holds the state of every partition this process owns. Per owned partition
// (owner.ts) a transactional producer commits, every `commitEveryRecords` records or
// `commitEveryMs` of processing time, the emitted parts, the partition's state checkpoint
// (aggregate.state) and the consumed offset in one transaction. On assignment a partition is
// fenced (its transactional id initialised), its newest checkpoint read (changelog.ts), its
// state restored and the consumer moved to the checkpoint's next offset; records before it are
// skipped. Any failed commit drops the partition's state and restores it from the last
// checkpoint, so what was emitted always matches what the state says was consumed.
// Duplicates are claimed in Redis consistently with the transactions (dedup.ts); a timer ticks
// the aggregator so idle partitions don't hold windows open.
import type { Kafka, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AvroSerde } from '../../avro/serde.js';
import { recordToSample } from '../../avro/records.js';
import { isKind } from '../../lib/errors.js';
import { Aggregator, type AggregatorConfig } from '../aggregation/aggregator.js';
import type { RollupPart } from '../aggregation/rollup.js';
import type { Sample } from '../samples/sample.js';
import { LostClaimsError, type SampleDedup } from './dedup.js';
import { restorePartitions } from './restore.js';
import { waitWithHeartbeats, slices } from '../../kafka/consumer/fetch-batch.js';
import { nextOffset, notBefore } from '../../kafka/consumer/offsets.js';
import { groupConsumer, onAssignment } from '../../kafka/consumer/runner.js';
import { PartitionOwner, type CommitInfo, type DeadRecord, type OwnerTopics } from './owner.js';
import { kafkajsTransactions, type Transactions } from './transaction.js';
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
   * again), with the reason: /readyz reports them (index.ts). Empty when all is well.
   */
  problems(): Record<string, string>;
  /** A server's split points changed (subscription-feed.ts): cut its windows anew. */
  splitPointsChanged(serverId: string): void;
}

/** Consecutive failed commits or restores of a partition before it is reported as stuck. */
const STUCK_AFTER_FAILURES = 3;

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


export async function startAggregate(opts: AggregateOptions): Promise<AggregateRole> {
  const { kafka, serde, dedup, topics, log, metrics } = opts;
  const groupId = opts.groupId ?? AGGREGATE_GROUP;
  const everyRecords = opts.commitEveryRecords ?? DEFAULT_COMMIT_EVERY_RECORDS;
  const everyMs = opts.commitEveryMs ?? DEFAULT_COMMIT_EVERY_MS;
  const agg = new Aggregator({ ...opts.aggregator, topic: topics.raw });
  const transactions = opts.transactions ?? kafkajsTransactions(kafka);
  const owners = new Map<number, PartitionOwner>();
  /** Consecutive failures per partition, and the partitions reported stuck (problems()). */
  const failures = new Map<number, number>();
  const stuck = new Map<string, string>();
  let stopping = false;

  const consumer = await groupConsumer(kafka, {
    groupId,
    topic: topics.raw,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: FETCH_BYTES,
    ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
  });

  /** Fences, reads the changelog and restores a set of newly owned partitions (restore.ts). */
  async function restore(list: PartitionOwner[]): Promise<void> {
    try {
      await restorePartitions({ kafka, consumer, agg, serde, dedup, groupId, topics, log, ...(opts.onRestored ? { onRestored: opts.onRestored } : {}) }, list);
    } catch (err) {
      log.error({ err, partitions: list.map((o) => o.partition) }, 'aggregate: restore failed; retrying');
      for (const o of list) if (o.status === 'restoring') lose(o, err);
    }
  }

  /** Drops a partition's state after a failed commit or restore; restores it again unless revoked. */
  function lose(o: PartitionOwner, err: unknown): void {
    if (o.status === 'revoked') return;
    const n = (failures.get(o.partition) ?? 0) + 1;
    failures.set(o.partition, n);
    if (n >= STUCK_AFTER_FAILURES)
      stuck.set(`partition ${o.partition}`, `${n} failed commits/restores in a row; last: ${String((err as Error)?.message ?? err)}`);
    const fenced = /fenced|epoch/i.test(String((err as Error)?.message ?? err));
    log.warn(
      { partition: o.partition, err: String((err as Error)?.message ?? err) },
      'aggregate: partition state dropped; restoring from its checkpoint',
    );
    agg.revokePartition(o.partition);
    void o.close('lost').then(() => {
      // Fenced: someone else owns it now; our rebalance will say so. Wait longer before retrying.
      setTimeout(
        () => {
          if (stopping || owners.get(o.partition) !== o || o.status !== 'lost') return;
          const fresh = new PartitionOwner(o.partition, transactions, `${groupId}-${o.partition}`);
          owners.set(o.partition, fresh);
          fresh.ready = restore([fresh]);
        },
        fenced ? 5000 : 1000,
      ).unref();
    });
  }

  function commit(o: PartitionOwner): Promise<void> {
    return o.commit(agg, serde, topics, groupId).then(
      (info) => {
        if (!info) return;
        failures.delete(o.partition);
        stuck.delete(`partition ${o.partition}`);
        metrics?.rollupsEmitted.inc({ correction: 'false' }, info.parts - info.corrections);
        metrics?.rollupsEmitted.inc({ correction: 'true' }, info.corrections);
        log.debug(info, 'aggregate: committed');
        opts.onCommit?.(info);
      },
      (err: unknown) => lose(o, err),
    );
  }

  onAssignment(consumer, topics.raw, (assigned) => {
    for (const [p, o] of owners) {
      if (assigned.has(p)) continue;
      owners.delete(p);
      agg.revokePartition(p);
      void o.close('revoked');
      failures.delete(p);
      stuck.delete(`partition ${p}`);
      log.info({ partition: p }, 'aggregate: partition revoked');
    }
    const fresh: PartitionOwner[] = [];
    for (const p of assigned) {
      if (owners.has(p)) continue;
      const o = new PartitionOwner(p, transactions, `${groupId}-${p}`);
      owners.set(p, o);
      fresh.push(o);
    }
    if (fresh.length > 0) {
      const done = restore(fresh);
      for (const o of fresh) o.ready = done;
    }
  });

  async function handle({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const o = owners.get(batch.partition);
    if (!o || stopping) return;
    await waitWithHeartbeats(o.ready, heartbeat);
    if (o.status !== 'ready' || owners.get(batch.partition) !== o) return;
    // Fetched before the restore moved the position (seek pending): after a lost commit this
    // batch lies *past* the checkpoint, and applying it would skip the records in between.
    // Unresolved, it is fetched again from the checkpoint.
    if (isStale()) return;
    const from = o.nextOffset;
    // A fetch holds up to maxBytesPerPartition of records: applied in slices, each followed by
    // the commit check, so a big fetch never holds back a commit (or a heartbeat) for long.
    for (const { messages, last } of slices(batch, SLICE_RECORDS)) {
      if (!(await applySlice(o, batch.topic, batch.partition, messages, last, from, heartbeat))) return;
      resolveOffset(last);
      const now = Date.now();
      if (o.pendingRecords() >= everyRecords || now - o.pendingSinceMs() >= everyMs) {
        // One transaction may be in flight while the next records are applied (the owner took
        // its snapshot synchronously; what is applied now belongs to the next one). A second
        // one waits for both: the back-pressure that bounds what is held between commits.
        const committed = commit(o);
        if (o.commitsInFlight() > 1) await committed;
      }
      await heartbeat();
      if (o.status !== 'ready' || owners.get(batch.partition) !== o || stopping) return;
    }
  }

  /**
   * Decodes, deduplicates and applies one slice of a fetched batch; false when the slice was
   * left unapplied (partition lost meanwhile, or samples undecodable for now).
   */
  async function applySlice(
    o: PartitionOwner,
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    last: string,
    from: string | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const now = Date.now();
    const samples: { sample: Sample; offset: string; key: Buffer | null; value: Buffer }[] = [];
    const dead: DeadRecord[] = [];
    const reject = (m: { key: Buffer | null; value: Buffer | null; offset: string }, reason: string) =>
      dead.push({
        key: m.key,
        letter: {
          original: m.value ?? Buffer.alloc(0),
          reason: `aggregate: ${reason}`,
          source: 'kafka',
          receivedAtMs: now,
          origin: { topic, partition, offset: m.offset },
        },
      });
    const wanted = notBefore(messages, from); // older records are in the restored state
    // Decoded together: one await for the slice, not one per record.
    const decoded = await Promise.allSettled(
      wanted.map(async (m) => {
        if (!m.value) throw new Error('record has no value');
        return recordToSample(await serde.decode('sample', topic, m.value));
      }),
    );
    for (let i = 0; i < wanted.length; i++) {
      const m = wanted[i] as (typeof wanted)[number];
      const d = decoded[i] as PromiseSettledResult<ReturnType<typeof recordToSample>>;
      if (d.status === 'fulfilled' && d.value.ok) {
        samples.push({ sample: d.value.sample, offset: m.offset, key: m.key, value: m.value as Buffer });
        continue;
      }
      const err: unknown = d.status === 'rejected' ? d.reason : new Error(d.value.ok ? '' : d.value.reason);
      // A Schema Registry outage says nothing about the record: dead-lettering it would lose
      // a good sample. Leave the slice unresolved (fetched again) and retry in a second.
      if (isKind(err, 'unavailable')) {
        log.warn({ partition, err: (err as Error).message }, 'aggregate: cannot decode yet; retrying');
        await new Promise((r) => setTimeout(r, 1000).unref());
        await heartbeat();
        return false;
      }
      reject(m, (err as Error).message);
    }
    let keep: boolean[];
    try {
      keep = await dedup.claim(samples.map((s) => ({ id: s.sample.id, partition, offset: s.offset })));
    } catch (err) {
      if (!(err instanceof LostClaimsError)) throw err;
      lose(o, err); // the restore rebuilds the lost claims before anything more is counted
      return false;
    }
    if (o.status !== 'ready' || owners.get(partition) !== o) return false; // lost while waiting for Redis
    // From here to o.consumed() nothing awaits: a commit (timer) can never snapshot half a slice.
    let kept = 0;
    const emitted: RollupPart[] = [];
    for (let i = 0; i < samples.length; i++) {
      if (!keep[i]) continue;
      const s = samples[i] as (typeof samples)[number];
      try {
        for (const part of agg.add(s.sample, { partition, offset: s.offset }, now)) emitted.push(part);
        kept++;
      } catch (err) {
        // The core checks a sample completely before it changes state: a rejected sample
        // counted nothing, so it can go to the DLQ. Anything else: state is suspect — restore.
        if (!isKind(err, 'validation')) {
          lose(o, err);
          return false;
        }
        reject({ key: s.key, value: s.value, offset: s.offset }, err.message);
      }
    }
    for (const d of dead) o.deadLetter(d, now);
    metrics?.dlqRecords.inc({ role: 'aggregate' }, dead.length);
    o.emitted(emitted, now);
    observeEmitted(emitted);
    const wm = agg.watermarkOf(partition);
    if (Number.isFinite(wm)) metrics?.watermarkDelaySeconds.set({ partition: String(partition) }, Math.max(0, now - wm) / 1000);
    o.consumed(messages.length, nextOffset(last), now);
    metrics?.samplesAggregated.inc(kept);
    metrics?.samplesDeduplicated.inc(keep.filter((k) => !k).length);
    return true;
  }

  /** Late samples are the ones inside correction parts (SPEC §4: merged into a stored window). */
  function observeEmitted(parts: readonly RollupPart[]): void {
    let late = 0;
    for (const p of parts) if (p.correction) late += p.state.count;
    if (late > 0) metrics?.samplesLate.inc(late);
  }

  const timer = setInterval(
    () => {
      if (stopping) return;
      const now = Date.now();
      for (const part of agg.tick(now)) {
        owners.get(part.source?.partition ?? -1)?.emitted([part], now);
        observeEmitted([part]);
      }
      for (const o of owners.values()) {
        if (o.status === 'ready' && o.dirty && now - o.pendingSinceMs() >= everyMs) void commit(o);
      }
    },
    opts.tickMs ?? Math.min(1000, everyMs),
  );

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: handle,
  });
  log.info({ groupId, topic: topics.raw }, 'aggregate started');

  return {
    problems: () => Object.fromEntries(stuck),
    splitPointsChanged: (serverId) => agg.splitPointsChanged(serverId),
    owned: () =>
      [...owners.values()]
        .filter((o) => o.status === 'ready')
        .map((o) => o.partition)
        .sort((a, b) => a - b),
    async stop() {
      stopping = true;
      clearInterval(timer);
      await consumer.stop();
      // Commit what is pending while we still own the partitions, then leave the group.
      await Promise.all(
        [...owners.values()].map(async (o) => {
          await o.settled();
          await commit(o);
          await o.close('revoked');
        }),
      );
      await consumer.disconnect();
      await transactions.close();
    },
  };
}
