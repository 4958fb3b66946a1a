// What a consuming role gives the shared runner (runner.ts) and what the runner lends it back.
// Two commit modes, as kafkajs offers eachBatch with and without auto-resolve:
//
//   'after-batch' (sink, rate)  a `BatchHandler` handles each fetched batch whole; the runner then
//                               commits the batch's next offset to the group itself.
//   'transaction' (aggregate)   `PartitionHooks`: the role owns partitions (assigned → restore,
//                               revoked → drop), each batch waits for its partition's restore and
//                               is applied in slices, each slice's offset resolved; the role
//                               commits offsets inside its own Kafka transactions, the runner none.
//
// Kafka-client neutral on purpose (FetchedBatch is not a kafkajs Batch): a move of the group
// consumer to another client is the runner's files only.
import type { KafkaMessage, Message } from 'kafkajs';

/** One fetch of one partition (or, in 'transaction' mode, one slice of it), as a handler sees it. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** The fetch's last offset: may lie past the last record (a transaction's commit marker). */
  lastOffset: string;
}

/** What the runner lends for one slice ('transaction' mode): no producer, the role's are transactional. */
export interface SliceTools {
  /** Keeps the partitions while a slice takes long (the runner also beats after every slice). */
  heartbeat(): Promise<void>;
  /** Aborted once the role stops: leave the rest, it stays unresolved. */
  signal: AbortSignal;
}

/** What the runner lends a handler for one batch ('after-batch' mode). */
export interface BatchTools extends SliceTools {
  /** A step retried while a dependency is away, the role not ready under `condition` meanwhile. */
  waitOut<T>(what: string, condition: string, step: () => Promise<T>): Promise<T>;
  /** Produces (acks=all, idempotent) with the runner's producer: dead letters. */
  produce(topic: string, messages: Message[]): Promise<void>;
}

export interface BatchHandler<R> {
  /** Processes a batch (never empty). Throwing leaves it uncommitted: kafkajs fetches it again. */
  handleBatch(batch: FetchedBatch, tools: BatchTools): Promise<R>;
  /** After the batch's offsets are committed to Kafka: metrics, logs, callbacks. */
  committed?(batch: FetchedBatch, nextOffset: string, result: R): void;
}

/**
 * Applies one slice of a fetched batch. true: applied — the runner resolves the slice's last
 * offset, heartbeats and hands over the next slice; false: left unapplied — this slice and the
 * rest of the fetch stay unresolved and are fetched again.
 */
export type SliceApplier = (slice: FetchedBatch, tools: SliceTools) => Promise<boolean>;

/** Moves the consumer's position in an owned partition (a restore resumes at its checkpoint). */
export interface Position {
  seek(partition: number, offset: string): void;
}

/** A role that owns partitions and commits its offsets in its own transactions. */
export interface PartitionHooks {
  /**
   * After a group join, the partitions newly this member's (start their restores; `position`
   * stays valid for the runner's life). Called after `revoked` of the same join.
   */
  assigned(partitions: readonly number[], position: Position): void;
  /** After a group join, the partitions this member no longer has: drop their state. */
  revoked(partitions: readonly number[]): void;
  /**
   * A fetched batch of `partition` arrived. Resolves, once the partition is restored (the
   * runner heartbeats meanwhile), to what applies this batch's slices — bound to the owner of
   * the moment, so a slice never reaches an owner restored since — or to undefined: the batch
   * is dropped unresolved (not owned, lost, stopping). A rejection counts as undefined.
   */
  batch(partition: number): Promise<SliceApplier | undefined>;
  /**
   * During stop(), once consuming stopped — no batch in hand, the timer stopped, and the member
   * has left the group (kafkajs' stop leaves it) — before the clients close: commit what is
   * pending. Safe after leaving: a new owner's fencing aborts a transaction it overtakes.
   */
  stopped?(): Promise<void>;
}
