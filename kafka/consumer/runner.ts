// The group consumer of a consuming role and the loop that feeds it to the role's handler, split
// out of the roles as kafkajs splits its consumer (fetch-batch.ts says why): read_committed,
// offsets never auto-committed, and the assignment reported as whole sets so a role can tell
// newly owned from revoked partitions.
//
// `runConsumer` owns everything a consuming role used to write for itself: the consumer's
// settings, joining the group (a broker away at start is waited for), supervision (a crash
// kafkajs will not restart is restarted, not ready meanwhile: roles/supervise-consumer.ts),
// the per-batch loop with its heartbeats and waits for dependencies, committing each batch's
// offsets once its handler returned, committing past fetches of only transaction markers, the
// producer a handler writes dead letters with, and a graceful stop. The role is left with
// `handleBatch(batch) → result` and, after the commit, `committed(batch, nextOffset, result)`.
import { Partitioners, type Consumer, type ConsumerConfig, type EachBatchPayload, type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { RoleHealth } from '../../roles/health.js';
import { waitOut } from '../../roles/retry.js';
import { consumeSupervised } from '../../roles/supervise-consumer.js';
import { nextOffset } from './offsets.js';

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  /** Bytes per partition per fetch (a role applies a fetch in slices, fetch-batch.ts). */
  maxBytesPerPartition?: number;
  /** Bytes per fetch over all partitions (default 32 MiB). */
  maxBytes?: number;
}

/** The consumer settings every consuming role shares. */
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

export async function groupConsumer(kafka: Kafka, o: GroupConsumerOptions): Promise<Consumer> {
  const consumer = kafka.consumer(consumerConfig(o));
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  return consumer;
}

/** Calls `assigned` with this member's partitions of `topic` after every group join. */
export function onAssignment(consumer: Consumer, topic: string, assigned: (partitions: ReadonlySet<number>) => void): void {
  consumer.on(consumer.events.GROUP_JOIN, (e) => assigned(new Set<number>(e.payload.memberAssignment[topic] ?? [])));
}

/** One fetch of one partition, as a handler sees it. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** The fetch's last offset: may lie past the last record (a transaction's commit marker). */
  lastOffset: string;
}

/** What the runner lends a handler for one batch. */
export interface BatchTools {
  /** Keeps the partitions while a batch takes long (the runner also beats after every batch). */
  heartbeat(): Promise<void>;
  /** Aborted once the role stops: leave the rest, the batch is not committed and comes again. */
  signal: AbortSignal;
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

export interface RunConsumerOptions<R> extends GroupConsumerOptions {
  /** Names the role in logs and retry messages. */
  role: string;
  kafka: Kafka;
  log: Logger;
  /** The role's readiness: `consumer` while it is down, the handler's conditions while it waits. */
  health: RoleHealth;
  handler: BatchHandler<R>;
  /** Partitions handled at once (default 2: one slow partition does not hold the others). */
  partitionsConsumedConcurrently?: number;
}

export interface RunningConsumer {
  /** Stops consuming (a batch in hand is abandoned at its next wait, uncommitted), closes clients. */
  stop(): Promise<void>;
}

export async function runConsumer<R>(o: RunConsumerOptions<R>): Promise<RunningConsumer> {
  const { kafka, log, health, handler } = o;
  const stopping = new AbortController();
  const consumer = kafka.consumer(consumerConfig({ ...o, maxBytes: o.maxBytes ?? 16 * 1024 * 1024 }));
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    // Unbounded, as an idempotent producer's must be (kafkajs warns otherwise).
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });

  async function eachBatch({ batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning()) return;
    const fetched: FetchedBatch = { topic: batch.topic, partition: batch.partition, messages: batch.messages, lastOffset: batch.lastOffset() };
    const tools: BatchTools = {
      heartbeat,
      signal: stopping.signal,
      waitOut: (what, condition, step) => waitOut(what, step, { log, signal: stopping.signal, health, heartbeat, condition }),
      produce: async (topic, messages) => {
        await producer.send({ topic, acks: -1, messages });
      },
    };
    const result = await handler.handleBatch(fetched, tools);
    const offset = nextOffset(fetched.lastOffset);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    handler.committed?.(fetched, offset, result);
    await heartbeat();
  }

  // A fetch of only transaction markers never reaches eachBatch (a topic written in
  // transactions ends every partition with one): commit past it, or the group would show a lag
  // of one record forever. kafkajs emits this only after the partition's earlier batches were
  // handled, and there is nothing to process, so no ordering to keep.
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    if (e.payload.batchSize !== 0) return;
    const offset = nextOffset(e.payload.lastOffset);
    consumer.commitOffsets([{ topic: e.payload.topic, partition: e.payload.partition, offset }]).catch(() => undefined);
  });
  const run = { autoCommit: false, partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 2, eachBatch };
  const supervised = await consumeSupervised(consumer, producer, o.topic, run, { role: o.role, log, health });
  return {
    async stop() {
      stopping.abort(new Error(`${o.role} stopping`));
      supervised.stop();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
