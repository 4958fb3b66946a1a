// kafkajs under `meterline bench kafka-clients`: configured as the roles configure it
// (kafka/client.ts, kafka/producer.ts: idempotent, acks=-1, murmur2 partitioner, one send in
// flight — concurrent sends of one idempotent kafkajs producer can reuse sequence numbers).
import { Partitioners, type Batch, type Consumer, type Kafka, type Message } from 'kafkajs';
import { PartitionPositions } from '../partition-positions.js';
import { OffsetTracker, runId, slices, type BenchRecord, type ClientAdapter, type ProduceSettings, type TransformResult } from './adapter.js';

/**
 * Runs a fresh group over `topic` until `onBatch` says it is done: seconds from the group join
 * (as a role's own figures include its join), not from the first batch.
 */
async function secondsFromJoin(consumer: Consumer, topic: string, concurrency: number, onBatch: (batch: Batch) => Promise<boolean>): Promise<number> {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let t0 = 0;
  return new Promise<number>((resolve, reject) => {
    // kafkajs restarts the consumer itself after a retriable crash (a group coordinator still
    // loading on a fresh broker, seen in a clean-clone run): only a final one ends the run.
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) reject(e.payload.error);
    });
    // The first join starts the clock; a restarted member's join does not.
    consumer.on(consumer.events.GROUP_JOIN, () => (t0 ||= performance.now()));
    consumer
      .run({ autoCommit: false, partitionsConsumedConcurrently: concurrency, eachBatch: async ({ batch }) => void ((await onBatch(batch)) && resolve((performance.now() - t0) / 1000)) })
      .catch(reject);
  });
}

const toMessages = (records: readonly BenchRecord[]): Message[] => records.map((r) => ({ key: r.key, value: r.value }));

export function kafkajsAdapter(kafka: Kafka): ClientAdapter {
  return {
    name: 'kafkajs',

    async produce(topic: string, records: readonly BenchRecord[], s: ProduceSettings) {
      const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      // The first send pays InitProducerId and metadata: one record, untimed.
      await producer.send({ topic, acks: -1, messages: toMessages(records.slice(0, 1)) });
      const t0 = performance.now();
      for (let i = 1; i < records.length; i += s.batch)
        await producer.send({ topic, acks: -1, messages: toMessages(records.slice(i, i + s.batch)) });
      const seconds = (performance.now() - t0) / 1000;
      await producer.disconnect();
      return seconds;
    },

    async readGroup(topic: string, total: number) {
      const consumer = kafka.consumer({ groupId: `kc-read-${runId()}`, maxBytesPerPartition: 4 << 20, maxBytes: 32 << 20 });
      // A restarted member re-reads from offset 0: each record counts once.
      const positions = new PartitionPositions();
      try {
        return await secondsFromJoin(consumer, topic, 3, async (batch) => {
          positions.fresh(batch.partition, batch.messages);
          return positions.seen >= total;
        });
      } finally {
        await consumer.disconnect();
      }
    },

    async transform(input: string, output: string, total: number, commitEveryMs: number, s: ProduceSettings): Promise<TransformResult> {
      const id = runId();
      const groupId = `kc-txn-${id}`;
      const producer = kafka.producer({
        idempotent: true,
        transactionalId: `kc-txn-${id}`,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 << 20, maxBytes: 32 << 20 });
      await producer.connect();
      const offsets = new OffsetTracker();
      const commitMs: number[] = [];
      let txn: Awaited<ReturnType<typeof producer.transaction>> | undefined;
      let txnStart = 0;
      const commit = async () => {
        if (!txn) return;
        const c0 = performance.now();
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: offsets.entries().map(([partition, next]) => ({ partition, offset: String(next) })) }],
        });
        await txn.commit();
        commitMs.push(performance.now() - c0);
        txn = undefined;
      };
      try {
        // One batch at a time: the transaction is shared by every partition.
        // A restarted member re-reads from the committed offsets; what the open transaction
        // already holds is not sent or counted again.
        const positions = new PartitionPositions();
        const seconds = await secondsFromJoin(consumer, input, 1, async (batch) => {
          const messages = positions.fresh(batch.partition, batch.messages);
          if (messages.length === 0) return offsets.consumed >= total;
          if (!txn) {
            txn = await producer.transaction();
            txnStart = performance.now();
          }
          // The transform: the record as it is, keyed by the same server id.
          for (const part of slices(messages, s.batch)) await txn.send({ topic: output, acks: -1, messages: part.map((m) => ({ key: m.key, value: m.value })) });
          for (const m of messages) offsets.add(batch.partition, m.offset);
          if (offsets.consumed >= total || performance.now() - txnStart >= commitEveryMs) await commit();
          return offsets.consumed >= total;
        });
        return { seconds, commitMs, groupId };
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
      }
    },
  };
}
