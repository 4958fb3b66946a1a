// The group consumer of an exactly-once consuming role (kafka/consumer/fetch-batch.ts says why
// these pieces are split out): read_committed, offsets committed by the role's own
// transactions (never auto-committed), and the assignment reported as whole sets so a role
// can tell newly owned from revoked partitions.
import type { Consumer, Kafka } from 'kafkajs';

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  /** Bytes per partition per fetch (a role applies a fetch in slices, fetch-batch.ts). */
  maxBytesPerPartition?: number;
}

export async function groupConsumer(kafka: Kafka, o: GroupConsumerOptions): Promise<Consumer> {
  const session = o.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({
    groupId: o.groupId,
    readUncommitted: false,
    maxBytesPerPartition: o.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    sessionTimeout: session,
    heartbeatInterval: Math.min(3000, Math.floor(session / 3)),
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  return consumer;
}

/** Calls `assigned` with this member's partitions of `topic` after every group join. */
export function onAssignment(consumer: Consumer, topic: string, assigned: (partitions: ReadonlySet<number>) => void): void {
  consumer.on(consumer.events.GROUP_JOIN, (e) => assigned(new Set<number>(e.payload.memberAssignment[topic] ?? [])));
}
