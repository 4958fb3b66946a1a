// The runner's per-batch loop in its two commit modes (handler.ts): what happens to one fetched
// batch between kafkajs handing it over and the next fetch of its partition.
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { BatchHandler, BatchTools, FetchedBatch, PartitionHooks, SliceTools } from './handler.js';
import { slices, waitWithHeartbeats } from './fetch-batch.js';
import { nextOffset } from './offsets.js';

type EachBatch = (payload: EachBatchPayload) => Promise<void>;

/**
 * 'after-batch': the handler takes the batch whole; its next offset is committed to the group
 * once the handler returned (a throw leaves it uncommitted), then `committed` reports it.
 */
export function afterBatch<R>(
  consumer: Consumer,
  handler: BatchHandler<R>,
  lend: (heartbeat: () => Promise<void>) => BatchTools,
): EachBatch {
  return async ({ batch, heartbeat, isRunning }) => {
    if (batch.messages.length === 0 || !isRunning()) return;
    const fetched: FetchedBatch = { topic: batch.topic, partition: batch.partition, messages: batch.messages, lastOffset: batch.lastOffset() };
    const result = await handler.handleBatch(fetched, lend(heartbeat));
    const offset = nextOffset(fetched.lastOffset);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    handler.committed?.(fetched, offset, result);
    await heartbeat();
  };
}

/**
 * 'transaction': the batch waits for its partition's restore, is dropped unresolved when stale,
 * and is applied in slices of at most `sliceRecords`, each slice's offset resolved once applied
 * (so a big fetch never holds back a commit or a heartbeat for long). Nothing is committed here:
 * the role's transactions carry its offsets.
 */
export function inTransactions(hooks: PartitionHooks, sliceRecords: number, signal: AbortSignal): EachBatch {
  return async ({ batch, resolveOffset, heartbeat, isStale }) => {
    if (signal.aborted) return;
    const pending = hooks.batch(batch.partition).catch(() => undefined);
    await waitWithHeartbeats(pending, heartbeat); // a long restore must not cost the membership
    const apply = await pending;
    // Fetched before a restore moved the position (its seek still pending): after a lost commit
    // this batch lies *past* the checkpoint, and applying it would skip the records in between.
    // Unresolved, it is fetched again from the checkpoint.
    if (apply === undefined || isStale()) return;
    const tools: SliceTools = { heartbeat, signal };
    for (const { messages, last } of slices(batch, sliceRecords)) {
      if (!(await apply({ topic: batch.topic, partition: batch.partition, messages, lastOffset: last }, tools))) return;
      resolveOffset(last);
      await heartbeat();
      if (signal.aborted) return;
    }
  };
}
