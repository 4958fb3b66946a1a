// Offset bookkeeping shared by the consuming roles (kafka/consumer/fetch-batch.ts says why these
// pieces are split out). Kafka offsets are 64-bit: strings, compared as BigInt.
import type { Kafka, KafkaMessage } from 'kafkajs';

export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * Records at or past `from` (older ones are already reflected in restored state). A partition's
 * records come in ascending offsets: when the first is at or past `from`, all are, and the slice
 * is returned as it is (the common case, every slice after the first: no BigInt per record).
 */
export const notBefore = (messages: readonly KafkaMessage[], from: string | undefined): readonly KafkaMessage[] => {
  if (from === undefined || messages.length === 0) return messages;
  const f = BigInt(from);
  if (BigInt((messages[0] as KafkaMessage).offset) >= f) return messages;
  return messages.filter((m) => BigInt(m.offset) >= f);
};

/** The group's committed offset of each partition, or its earliest offset when none. */
export async function startOffsets(kafka: Kafka, groupId: string, topic: string, partitions: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (partitions.length === 0) return out;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const low = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low]));
    for (const p of partitions) {
      const c = committed?.partitions.find((x) => x.partition === p)?.offset;
      const start = c !== undefined && BigInt(c) >= 0n ? c : low.get(p);
      if (start !== undefined) out.set(p, start);
    }
  } finally {
    await admin.disconnect();
  }
  return out;
}
