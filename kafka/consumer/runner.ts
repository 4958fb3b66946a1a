// The loop every consuming role runs (sink, rate, aggregate), split out of the roles as kafkajs
// splits its consumer: group.ts (settings, assignment gained/lost), fetch-batch.ts (slices, a
// wait that heartbeats), offsets.ts (64-bit offsets), each-batch.ts (one batch in each commit
// mode), handler.ts (the contract a role fills in) and this file, which wires them.
//
// `runConsumer` owns everything a consuming role used to write for itself: the consumer's
// settings, joining the group (a broker away at start is waited for), supervision (a crash
// kafkajs will not restart is restarted, not ready meanwhile: roles/supervise-consumer.ts),
// the per-batch loop with its heartbeats and waits for dependencies, the commit of each batch
// ('after-batch': the runner commits, past fetches of only transaction markers too) or none
// ('transaction': the role's transactions carry its offsets), the producer an 'after-batch'
// handler writes dead letters with, an optional timer, and a graceful stop.
import { Partitioners, type Producer } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../observability/log.js';
import type { RoleHealth } from '../../roles/health.js';
import { waitOut } from '../../roles/retry.js';
import { consumeSupervised } from '../../roles/supervise-consumer.js';
import { nextOffset } from './offsets.js';
import { consumerConfig, trackAssignment, type GroupConsumerOptions } from './group.js';
import { afterBatch, inTransactions } from './each-batch.js';
import type { BatchHandler, BatchTools, PartitionHooks } from './handler.js';

export type { BatchHandler, BatchTools, FetchedBatch, PartitionHooks, SliceApplier, SliceTools, Position } from './handler.js';
export { consumerConfig, type GroupConsumerOptions } from './group.js';

interface RunConsumerBase extends GroupConsumerOptions {
  /** Names the role in logs and retry messages. */
  role: string;
  kafka: Kafka;
  log: Logger;
  /** The role's readiness: `consumer` while it is down, the handler's conditions while it waits. */
  health: RoleHealth;
  /** Partitions handled at once (default 2: one slow partition does not hold the others). */
  partitionsConsumedConcurrently?: number;
  /** Called every `everyMs` from the start until stop() begins: time-driven work (idle windows, commits). */
  timer?: { everyMs: number; tick(): void };
}

export interface AfterBatchOptions<R> extends RunConsumerBase {
  commit?: 'after-batch';
  handler: BatchHandler<R>;
}

export interface TransactionOptions extends RunConsumerBase {
  commit: 'transaction';
  partitions: PartitionHooks;
  /** Records applied between two resolved offsets (and commit checks of the role). */
  sliceRecords: number;
}

export type RunConsumerOptions<R> = AfterBatchOptions<R> | TransactionOptions;

export interface RunningConsumer {
  /**
   * Stops the timer and consuming (a batch in hand is abandoned at its next wait, unresolved
   * and uncommitted; kafkajs leaves the group), lets a 'transaction' role commit what is
   * pending, closes the clients.
   */
  stop(): Promise<void>;
}

export async function runConsumer<R>(o: RunConsumerOptions<R>): Promise<RunningConsumer> {
  const { kafka, log, health } = o;
  const stopping = new AbortController();
  const consumer = kafka.consumer(consumerConfig({ ...o, maxBytes: o.maxBytes ?? 16 * 1024 * 1024 }));
  // Dead letters of a 'transaction' role go into its transactions: no producer of its own.
  const producer: Producer | undefined =
    o.commit === 'transaction'
      ? undefined
      : kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
          // Unbounded, as an idempotent producer's must be (kafkajs warns otherwise).
          retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
        });

  let eachBatch;
  if (o.commit === 'transaction') {
    trackAssignment(consumer, o.topic, o.partitions);
    eachBatch = inTransactions(o.partitions, o.sliceRecords, stopping.signal);
  } else {
    const lend = (heartbeat: () => Promise<void>): BatchTools => ({
      heartbeat,
      signal: stopping.signal,
      waitOut: (what, condition, step) => waitOut(what, step, { log, signal: stopping.signal, health, heartbeat, condition }),
      produce: async (topic, messages) => {
        await producer?.send({ topic, acks: -1, messages });
      },
    });
    eachBatch = afterBatch(consumer, o.handler, lend);
    // A fetch of only transaction markers never reaches eachBatch (a topic written in
    // transactions ends every partition with one): commit past it, or the group would show a
    // lag of one record forever. kafkajs emits this only after the partition's earlier batches
    // were handled, and there is nothing to process, so no ordering to keep.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (e.payload.batchSize !== 0) return;
      const offset = nextOffset(e.payload.lastOffset);
      consumer.commitOffsets([{ topic: e.payload.topic, partition: e.payload.partition, offset }]).catch(() => undefined);
    });
  }

  const timer = o.timer ? setInterval(o.timer.tick, o.timer.everyMs) : undefined;
  const run = {
    autoCommit: false,
    eachBatchAutoResolve: o.commit !== 'transaction',
    partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 2,
    eachBatch,
  };
  const supervised = await consumeSupervised(consumer, producer, o.topic, run, { role: o.role, log, health }).catch((err: unknown) => {
    clearInterval(timer); // a start that fails for good leaves nothing running
    throw err;
  });
  return {
    async stop() {
      stopping.abort(new Error(`${o.role} stopping`));
      clearInterval(timer);
      supervised.stop();
      await consumer.stop();
      try {
        if (o.commit === 'transaction') await o.partitions.stopped?.();
      } finally {
        // Closed even when the role's last commits failed: no client left polling.
        await consumer.disconnect();
        await producer?.disconnect();
      }
    },
  };
}
