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
import { Partitioners, type Kafka, type Producer, type Message } from 'kafkajs';
import type { RollupPart } from '../aggregation/rollup.js';
import type { Aggregator } from '../aggregation/aggregator.js';
import type { AvroSerde } from '../../avro/serde.js';
import { rollupToRecord, deadLetterToRecord, type DeadLetter } from '../../avro/records.js';
import { checkpointKey, encodeMeta, encodeServer, serverKey } from './changelog.js';

export interface OwnerTopics {
  raw: string;
  rollups: string;
  dlq: string;
  state: string;
}

/**
 * Bytes of records per produce call. usage.rollups is keyed like metrics.raw, so one input
 * partition's parts all land in one output partition: one record batch, which the broker caps
 * at the topic's max.message.bytes (1 MiB by default).
 */
const SEND_CHUNK_BYTES = 700_000;
/**
 * And at most this many records: kafkajs groups a send's records by partition with an
 * array copy per record (quadratic in the records of one call: 2 000 records ≈ 2 M element
 * copies, a few ms), so calls stay bounded — but not small, each call is a round trip.
 */
const SEND_CHUNK_RECORDS = 2000;

/** Splits messages into produce calls of at most SEND_CHUNK_BYTES (roughly: values, keys, overhead). */
function* chunks(messages: readonly Message[]): Generator<Message[]> {
  let chunk: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value as Buffer | null)?.length ?? 0;
    if (chunk.length > 0 && (bytes + size + 64 > SEND_CHUNK_BYTES || chunk.length >= SEND_CHUNK_RECORDS)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size + 64 + (typeof m.key === 'string' ? m.key.length : 0);
  }
  if (chunk.length > 0) yield chunk;
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
  private producer: Producer | undefined;
  private parts: RollupPart[] = [];
  private dead: DeadRecord[] = [];
  private records = 0;
  private since = 0;
  private chain: Promise<void> = Promise.resolve();
  /**
   * The first commit of this owner that failed. Every later commit fails too: its snapshot
   * already reflects the records whose parts the failed transaction lost, so committing it
   * would make that loss permanent. The role restores a fresh owner from the last checkpoint.
   */
  private failure: unknown;

  constructor(
    readonly partition: number,
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
  ) {}

  /** Initialises the transactional producer: aborts and fences any previous owner of p. */
  async fence(): Promise<void> {
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      // Retriable errors (a broker restarting) are retried without a cap, as an idempotent
      // producer must be to keep its sequence numbers; fencing and other fatal errors still
      // fail at once, and a broker gone for longer than transactionTimeout aborts the
      // transaction, whose commit then fails and restores the partition.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
      allowAutoTopicCreation: false,
      // murmur2 on server_id, like ingest: usage.rollups is keyed and partitioned as metrics.raw.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    this.producer = producer;
  }

  /** Something to commit: records consumed, parts emitted or dead letters since the last commit. */
  get dirty(): boolean {
    return this.records > 0 || this.parts.length > 0 || this.dead.length > 0;
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
    for (const p of parts) this.parts.push(p);
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
    const dead = this.dead;
    const nextOffset = this.nextOffset;
    const state = this.stateRecords(agg, nextOffset);
    this.parts = [];
    this.dead = [];
    this.records = 0;
    const producer = this.producer;
    const run = this.chain.then(async (): Promise<CommitInfo> => {
      if (producer === undefined) throw new Error(`partition ${this.partition}: no producer`);
      if (this.failure !== undefined)
        throw new Error(`partition ${this.partition}: an earlier commit failed`, { cause: this.failure });
      const messages: Message[] = [];
      for (const p of parts)
        messages.push({
          key: p.serverId,
          value: await serde.encode('rollup', topics.rollups, rollupToRecord(p)),
        });
      const letters: Message[] = [];
      for (const d of dead)
        letters.push({
          key: d.key,
          value: await serde.encode('dlq', topics.dlq, deadLetterToRecord(d.letter)),
        });
      const t0 = performance.now();
      const txn = await producer.transaction();
      try {
        // kafkajs sends one record batch per call and partition; the broker caps a batch at
        // the topic's max.message.bytes (1 MiB by default), so large commits go in chunks.
        for (const chunk of chunks(messages)) await txn.send({ topic: topics.rollups, messages: chunk });
        for (const chunk of chunks(letters)) await txn.send({ topic: topics.dlq, messages: chunk });
        for (const chunk of chunks(state)) await txn.send({ topic: topics.state, messages: chunk });
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: topics.raw, partitions: [{ partition: this.partition, offset: nextOffset }] }],
        });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => undefined);
        throw err;
      }
      return {
        partition: this.partition,
        nextOffset,
        parts: parts.length,
        corrections: parts.filter((p) => p.correction).length,
        dead: dead.length,
        stateRecords: state.length,
        stateBytes: state.reduce((n, m) => n + ((m.value as Buffer | null)?.length ?? 0), 0),
        durationMs: performance.now() - t0,
      };
    });
    this.chain = run.then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    return run;
  }

  /**
   * The changelog records of this commit, taken synchronously with the offsets: the meta record
   * and the partition's changes since the previous commit (each a fresh copy, safe to send later).
   */
  private stateRecords(agg: Aggregator, nextOffset: string): Message[] {
    const p = this.partition;
    const changes = agg.drainChanges(p);
    const meta = { ...(changes?.meta ?? agg.metaOf(p)), nextOffset };
    const out: Message[] = [{ key: checkpointKey(p), value: encodeMeta(meta), partition: p }];
    for (const r of changes?.upserts ?? []) out.push({ key: serverKey(p, r.serverId), value: encodeServer(r), partition: p });
    for (const id of changes?.removed ?? []) out.push({ key: serverKey(p, id), value: null, partition: p });
    return out;
  }

  /** Waits for commits in flight. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Forgets everything uncommitted and closes the producer (revoked, lost, or shutting down). */
  async close(status: OwnerStatus): Promise<void> {
    this.status = status;
    this.parts = [];
    this.dead = [];
    this.records = 0;
    const producer = this.producer;
    this.producer = undefined;
    await this.chain;
    await producer?.disconnect().catch(() => undefined);
  }
}
