// One owned input partition of the aggregate role: its transactional producer, what it has
// emitted since the last commit, and the commit itself. A commit is one Kafka transaction:
// the rollup parts (usage.rollups), records that could not be read (metrics.dlq), the
// partition's state changes since the last commit and next input offset (aggregate.state,
// changelog.ts), and the consumed input offset (sendOffsets). All four become visible
// together or not at all.
//
// The transactional.id is fixed per input partition (`…meterline-aggregate-<p>`): whoever
// owns p after a rebalance or a restart initialises the same id, which aborts the previous
// owner's open transaction and fences it, so two processes can never both commit for p.
import type { RollupPart } from '../aggregation/rollup.js';
import { partOf, type PartView } from '../aggregation/part-sink.js';
import type { Aggregator } from '../aggregation/aggregator.js';
import type { AvroSerde } from '../../avro/serde.js';
import { rollupToRecord, deadLetterToRecord, type DeadLetter } from '../../avro/records.js';
import { RollupWriter } from '../../avro/rollup-writer.js';
import { checkpointKey, encodeMeta } from './changelog.js';
import { PartLog } from './part-log.js';
import { CommitRecords, fillRecord, runOf } from './commit-records.js';
import type { TransactionalProducer, Transactions, TxnRecord } from './transaction.js';

export interface OwnerTopics {
  raw: string;
  rollups: string;
  dlq: string;
  state: string;
}

/** A record for metrics.dlq, encoded at commit time like the parts. */
export interface DeadRecord {
  key: Buffer | null;
  letter: DeadLetter;
}

export type OwnerStatus = 'restoring' | 'ready' | 'lost' | 'revoked';

export interface CommitInfo {
  partition: number;
  nextOffset: string;
  parts: number;
  corrections: number;
  dead: number;
  /** Changelog records written: the meta, one per changed server, tombstones. */
  stateRecords: number;
  stateBytes: number;
  /** From the start of the transaction to its commit. */
  durationMs: number;
}

export class PartitionOwner {
  status: OwnerStatus = 'restoring';
  /** First input offset not yet applied to the aggregator (undefined: follow the group's offset). */
  nextOffset: string | undefined;
  /** Resolves when the partition is restored (or lost trying). */
  ready: Promise<void> = Promise.resolve();
  private producer: TransactionalProducer | undefined;
  /**
   * Parts emitted since the last commit, encoded as they come (part-log.ts) once the rollup
   * frame is known (the first commit learns it from the serde); before that, kept as objects
   * in `parts` (they precede everything in the log).
   */
  private parts: RollupPart[] = [];
  private log = new PartLog();
  /** A settled commit's log, emptied, for the commit after next. */
  private spare: PartLog | undefined;
  /** The frame of usage.rollups records (serde.head), once a commit has asked for it. */
  private head: Buffer | undefined;
  private dead: DeadRecord[] = [];
  private records = 0;
  private since = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Transactions taken and not yet settled (the role lets one run while it applies more). */
  private inFlight = 0;
  /**
   * The first commit of this owner that failed. Every later commit fails too: its snapshot
   * already reflects the records whose parts the failed transaction lost, so committing it
   * would make that loss permanent. The role restores a fresh owner from the last checkpoint.
   */
  private failure: unknown;
  /** Where parts kept as objects are encoded, one at a time (this owner's commits run one after another). */
  private readonly writer = new RollupWriter();

  constructor(
    readonly partition: number,
    private readonly transactions: Transactions,
    private readonly transactionalId: string,
  ) {}

  /** Initialises the transactional producer: aborts and fences any previous owner of p. */
  async fence(): Promise<void> {
    const producer = this.transactions.open(this.transactionalId);
    try {
      await producer.init();
    } catch (err) {
      await producer.close();
      throw err;
    }
    // Revoked or lost while initialising: close() found no producer to close, so close it here
    // (a connected librdkafka client would otherwise live on, polling, until the process ends).
    if (this.status !== 'restoring') {
      await producer.close();
      return;
    }
    this.producer = producer;
  }

  /** Something to commit: records consumed, parts emitted or dead letters since the last commit. */
  get dirty(): boolean {
    return this.records > 0 || this.parts.length > 0 || this.log.count > 0 || this.log.error !== undefined || this.dead.length > 0;
  }

  pendingRecords(): number {
    return this.records;
  }

  /** Processing time the oldest uncommitted work arrived. */
  pendingSinceMs(): number {
    return this.since;
  }

  private touch(nowMs: number): void {
    if (!this.dirty) this.since = nowMs;
  }

  consumed(count: number, nextOffset: string, nowMs: number): void {
    this.touch(nowMs);
    this.records += count;
    // Never backwards: a re-fetched batch (after a rejoin, from the older group offset) that
    // ends below what was applied must not make the next batch re-apply records.
    if (this.nextOffset === undefined || BigInt(nextOffset) > BigInt(this.nextOffset))
      this.nextOffset = nextOffset;
  }

  emitted(parts: readonly RollupPart[], nowMs: number): void {
    if (parts.length === 0) return;
    this.touch(nowMs);
    const head = this.head;
    if (head === undefined) for (const p of parts) this.parts.push(p);
    else for (const p of parts) this.log.add(head, p);
  }

  /**
   * emitted([partOf(v)]) without the object once the frame is known: the aggregator's sink
   * (apply-slice.ts, the role's tick) hands each part as a reused view, encoded here at once.
   */
  emittedView(v: PartView, nowMs: number): void {
    this.touch(nowMs);
    const head = this.head;
    if (head === undefined) this.parts.push(partOf(v));
    else this.log.addView(head, v);
  }

  deadLetter(record: DeadRecord, nowMs: number): void {
    this.touch(nowMs);
    this.dead.push(record);
  }

  /**
   * Commits what is pending in one transaction. Takes the snapshot synchronously, so records
   * processed while the transaction is in flight belong to the next one. Commits of one
   * partition run one after another.
   */
  commit(
    agg: Aggregator,
    serde: AvroSerde,
    topics: OwnerTopics,
    groupId: string,
  ): Promise<CommitInfo | undefined> {
    if (this.status !== 'ready' || !this.dirty || this.nextOffset === undefined)
      return Promise.resolve(undefined);
    const parts = this.parts;
    const log = this.log;
    const dead = this.dead;
    const nextOffset = this.nextOffset;
    const state = this.stateRecords(agg, nextOffset);
    this.parts = [];
    this.log = this.spare ?? new PartLog();
    this.spare = undefined;
    this.dead = [];
    this.records = 0;
    const producer = this.producer;
    const run = this.chain.then(async (): Promise<CommitInfo> => {
      if (producer === undefined) throw new Error(`partition ${this.partition}: no producer`);
      if (this.failure !== undefined)
        throw new Error(`partition ${this.partition}: an earlier commit failed`, { cause: this.failure });
      if (log.error !== undefined) throw log.error;
      const t0 = performance.now();
      const rollups = await this.rollupValues(serde, topics.rollups, parts);
      // Dead letters are rare: through avsc, before the transaction.
      const deadValues: Buffer[] = [];
      for (const d of dead) deadValues.push(await serde.encode('dlq', topics.dlq, deadLetterToRecord(d.letter)));
      // Taken one at a time by the producer, inside the transaction: a part is written into the
      // owner's buffer, produced (copied) and the buffer reused — no encoded record kept; one
      // record object refilled for each (commit-records.ts).
      const records = new CommitRecords([
        runOf(parts, (p, i, into) => fillRecord(into, topics.rollups, p.serverId, rollups(p, i))),
        log.run(topics.rollups),
        runOf(dead, (d, i, into) => fillRecord(into, topics.dlq, d.key, deadValues[i] as Buffer)),
        runOf(state, (r, _i, into) => fillRecord(into, topics.state, r.key, r.value, r.partition)),
      ]);
      await producer.transact(records, { groupId, topic: topics.raw, partition: this.partition, offset: nextOffset });
      return {
        partition: this.partition,
        nextOffset,
        parts: parts.length + log.count,
        corrections: parts.filter((p) => p.correction).length + log.corrections,
        dead: dead.length,
        stateRecords: state.length,
        stateBytes: state.reduce((n, m) => n + (m.value?.length ?? 0), 0),
        durationMs: performance.now() - t0,
      };
    });
    this.inFlight++;
    // Its log is read until the transaction settles; then it is emptied for reuse.
    const recycle = (): void => {
      if (log.clear() && this.status !== 'lost' && this.status !== 'revoked') this.spare ??= log;
    };
    this.chain = run.then(
      () => {
        this.inFlight--;
        recycle();
      },
      (err: unknown) => {
        this.inFlight--;
        this.failure ??= err;
        recycle();
      },
    );
    return run;
  }

  /**
   * How the commit's parts kept as objects become record values: with a serde that gives its
   * frame, written by hand into the owner's reused buffer (avro/rollup-writer.ts; one registry
   * lookup per commit, after which parts are encoded as they are emitted); else through
   * serde.encode, each part encoded first.
   */
  private async rollupValues(serde: AvroSerde, topic: string, parts: readonly RollupPart[]): Promise<(p: RollupPart, i: number) => Buffer> {
    const head = serde.head ? await serde.head('rollup', topic) : undefined;
    if (head !== undefined && this.status === 'ready') this.head ??= head;
    if (head !== undefined) return (p) => this.writer.write(head, p);
    const values: Buffer[] = [];
    for (const p of parts) values.push(await serde.encode('rollup', topic, rollupToRecord(p)));
    return (_p, i) => values[i] as Buffer;
  }

  /**
   * The changelog records of this commit, taken synchronously with the offsets: the meta record
   * and the partition's changes since the previous commit (each a fresh copy, safe to send later).
   */
  private stateRecords(agg: Aggregator, nextOffset: string): Omit<TxnRecord, 'topic'>[] {
    const p = this.partition;
    const out: Omit<TxnRecord, 'topic'>[] = [{ key: checkpointKey(p), value: null, partition: p }];
    const meta = agg.drainChanges(p, (key, value) => out.push({ key, value, partition: p })) ?? agg.metaOf(p);
    (out[0] as Omit<TxnRecord, 'topic'>).value = encodeMeta({ ...meta, nextOffset });
    return out;
  }

  /** Transactions committing now (taken, not yet settled). */
  commitsInFlight(): number {
    return this.inFlight;
  }

  /** Waits for commits in flight. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Forgets everything uncommitted and closes the producer (revoked, lost, or shutting down). */
  async close(status: OwnerStatus): Promise<void> {
    this.status = status;
    this.parts = [];
    this.log = new PartLog();
    this.spare = undefined;
    this.dead = [];
    this.records = 0;
    const producer = this.producer;
    this.producer = undefined;
    await this.chain;
    await producer?.close();
  }
}
