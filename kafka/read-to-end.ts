// Reading some partitions of a topic over a fixed offset range, each record once and in order,
// with a throwaway kafkajs consumer group (kafkajs has no manual assignment). Used by the
// aggregate role's restore: the changelog read ("newest record per key up to the end") and the
// dedup-claim rebuild ("exactly the offsets from..upTo, each once").
//
// Why a helper: kafkajs restarts a consumer by itself after a retriable crash (a group
// coordinator still loading on a fresh broker, a connection lost past its retries), announcing
// it as a CRASH event with `restart: true`. A restarted consumer is a new group member with the
// old one's in-memory state gone: without committed offsets it fetches from the beginning again,
// and earlier seeks and pauses are lost. Failing the read on such a crash costs the caller a
// whole retry; ignoring it naively re-applies records (or, for a per-key read, leaves a
// partition rewound to an older state). So the position of each partition is kept here, not in
// kafkajs: a record is handed on only when its offset is at the position (which then moves past
// it), every group join seeks back to the position, and only a final crash fails the read.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface PartitionRange {
  partition: number;
  /** First offset wanted (inclusive); 0 = the partition's start. */
  from: bigint;
  /** Last offset wanted (inclusive); the read of the partition ends once a fetch reached it. */
  upTo: bigint;
}

export interface ReadToEndOptions {
  kafka: Kafka;
  topic: string;
  ranges: readonly PartitionRange[];
  /** Names the throwaway group (a random suffix is added; the group is deleted afterwards). */
  groupPrefix: string;
  /**
   * Called with each partition's records in [from, upTo], in offset order, each record once;
   * calls never overlap. A throw fails the read (it is not handed to kafkajs, which would retry
   * the batch and then restart the consumer over and over on a persistent error).
   */
  onRecords: (partition: number, messages: readonly KafkaMessage[]) => void | Promise<void>;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /**
   * The throwaway member's session (10 s by default, kafkajs' is 30 s): a member kafkajs
   * restarted after a lost connection could not leave, and the new one's join waits until
   * the old one's session ends.
   */
  sessionTimeoutMs?: number;
  /** Told of each restart kafkajs makes after a retriable crash (the read goes on). */
  onRestart?: (error: Error) => void;
  /**
   * Called once a partition's range is read, after its last onRecords and in the same queue
   * (so never beside another call); the read resolves after the last one. With
   * `onePartitionAtATime`, the next partition is fetched only once this returned: what the
   * caller keeps per partition can be let go here, before the next one is read.
   */
  onPartitionEnd?: (partition: number) => void | Promise<void>;
  /** Fetch the ranges one partition after the other (in the order given), not all at once. */
  onePartitionAtATime?: boolean;
}

interface Position {
  /** The next offset to hand on. */
  next: bigint;
  upTo: bigint;
  done: boolean;
}

/**
 * The messages with offsets in [from, upTo]. A batch's offsets ascend, so when its first and
 * last are inside, all are: the whole batch, without a BigInt per record (a restore reads
 * millions of records).
 */
function inRange(messages: KafkaMessage[], from: bigint, upTo: bigint): KafkaMessage[] {
  const first = messages[0];
  const last = messages[messages.length - 1];
  if (first === undefined || last === undefined) return [];
  if (BigInt(first.offset) >= from && BigInt(last.offset) <= upTo) return messages;
  return messages.filter((m) => {
    const at = BigInt(m.offset);
    return at >= from && at <= upTo;
  });
}

/** Reads every range to its end (read_committed); resolves with the number of records handed on. */
export async function readToEnd(o: ReadToEndOptions): Promise<number> {
  const positions = new Map<number, Position>();
  for (const r of o.ranges) if (r.from <= r.upTo) positions.set(r.partition, { next: r.from, upTo: r.upTo, done: false });
  if (positions.size === 0) return 0;
  const groupId = `${o.groupPrefix}-${randomUUID()}`;
  const consumer = o.kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: o.sessionTimeoutMs ?? 10_000,
    maxBytesPerPartition: o.maxBytesPerPartition ?? 16 * 1024 * 1024,
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    // The ends are known: no point in the broker holding a fetch 5 s (kafkajs' default) for
    // records past them. A partition read to its end and not yet paused (one at a time: while
    // its end is handled) would otherwise hold up the next partition's first fetch that long.
    maxWaitTimeInMs: 100,
  });
  let handed = 0;
  // One handler call at a time, also across a restart (the old member's batch may still run).
  let queue: Promise<void> = Promise.resolve();
  let reassert: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown) => {
        failed = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      /** The partition being fetched when one at a time: the first not done, in the order given. */
      const current = (): number | undefined => [...positions].find(([, p]) => !p.done)?.[0];
      /** A partition's end being handled: the next one is not resumed before it is done. */
      let ending = false;
      /** One at a time: every wanted partition but the current one paused. */
      const pauseOthers = () => {
        if (!o.onePartitionAtATime) return;
        ending = false;
        const now = current();
        const rest = [...positions.keys()].filter((partition) => partition !== now);
        if (rest.length > 0) consumer.pause([{ topic: o.topic, partitions: rest }]);
        if (now !== undefined) consumer.resume([{ topic: o.topic, partitions: [now] }]);
      };
      const reached = (partition: number, lastOffset: string) => {
        const p = positions.get(partition);
        if (p === undefined || p.done || BigInt(lastOffset) < p.upTo) return;
        p.done = true;
        if (o.onePartitionAtATime) {
          consumer.pause([{ topic: o.topic, partitions: [partition] }]);
          ending = true;
        }
        const end = o.onPartitionEnd;
        if (end) queue = queue.then(() => (failed ? undefined : end(partition)));
        const all = [...positions.values()].every((x) => x.done);
        // The next partition is resumed once the caller is done with this one.
        queue = queue.then(() => (all ? resolve() : failed ? undefined : pauseOthers()));
        queue.catch(fail);
      };
      // After eachBatch, and also for batches of only control records (commit markers) or
      // aborted records, which never reach eachBatch: the end is always seen.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      // Every join (the first, a rebalance's, a restarted member's) puts the fetch back at the
      // positions and pauses the partitions nobody asked for (other processes read them); a
      // fetch answered before the seek lands only delivers records below the positions, which
      // are skipped.
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        try {
          for (const [partition, p] of positions) if (p.next > 0n) consumer.seek({ topic: o.topic, partition, offset: p.next.toString() });
          const others = (e.payload.memberAssignment[o.topic] ?? []).filter((partition) => !positions.has(partition));
          if (others.length > 0) consumer.pause([{ topic: o.topic, partitions: others }]);
          pauseOthers();
        } catch (err) {
          fail(err);
        }
      });
      // Said again every second (pause and resume are idempotent): a read that saw one
      // restore of 100 000 servers stop making progress, cause not found, must not depend on
      // one resume having taken effect.
      if (o.onePartitionAtATime) reassert = setInterval(() => ending || failed || pauseOthers(), 1000);
      consumer.on(consumer.events.CRASH, (e) => {
        if (failed) return;
        if (e.payload.restart) o.onRestart?.(e.payload.error);
        else fail(e.payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, heartbeat }) => {
            const p = positions.get(batch.partition);
            if (failed || p === undefined) return;
            // Claimed here, synchronously: a batch seen twice (before a seek, after a restart)
            // hands nothing on the second time.
            const wanted = inRange(batch.messages, p.next, p.upTo);
            if (wanted.length === 0) return;
            p.next = BigInt((wanted[wanted.length - 1] as KafkaMessage).offset) + 1n;
            handed += wanted.length;
            queue = queue.then(() => (failed ? undefined : o.onRecords(batch.partition, wanted)));
            await queue.catch(fail);
            // A long read stays one member (a lost session only costs a rejoin and a seek).
            await heartbeat().catch(() => undefined);
          },
        })
        .catch(fail);
    });
  } finally {
    clearInterval(reassert);
    await consumer.disconnect();
    const admin = o.kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined);
    await admin.disconnect();
  }
  return handed;
}
