// What a consuming role does with one fetched batch before its own handler sees records, split
// out of the roles as kafkajs splits its consumer (fetch, offset bookkeeping, runner): waiting
// for a partition's restore without losing the group membership, and cutting a large fetch
// into slices so a commit (or a heartbeat) never waits for a whole fetch of several MB.
//
// One of the shared consumer pieces (kafka/consumer/, runner.ts lists them): the 'transaction'
// commit mode (each-batch.ts) waits and slices with these.
import type { Batch, KafkaMessage } from 'kafkajs';

/** Waits for `ready`, heartbeating every second meanwhile (a long restore must not cost the membership). */
export async function waitWithHeartbeats(ready: Promise<unknown>, heartbeat: () => Promise<void>, everyMs = 1000): Promise<void> {
  let done = false;
  const waiting = ready.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await Promise.race([waiting, new Promise((r) => setTimeout(r, everyMs).unref())]);
    if (!done) await heartbeat();
  }
}

export interface Slice {
  messages: KafkaMessage[];
  /** The offset to resolve once the slice is applied. */
  last: string;
}

/**
 * The batch's records in slices of at most `size`. The last slice resolves the batch's own
 * last offset, which may lie past its last record (a transaction's commit marker).
 */
export function* slices(batch: Pick<Batch, 'messages' | 'lastOffset'>, size: number): Generator<Slice> {
  const all = batch.messages;
  for (let i = 0; i < all.length; i += size) {
    const messages = all.slice(i, i + size);
    const end = i + size >= all.length;
    yield { messages, last: end ? batch.lastOffset() : (messages[messages.length - 1] as KafkaMessage).offset };
  }
}
