// @platformatic/kafka (pure TypeScript) under `meterline bench kafka-clients`. One send() is one
// batch per partition, like kafkajs, so it gets the same records-per-call batch and one send in
// flight. Its default partitioner is murmur2 >>> 0, not Java's murmur2 & 0x7fffffff: keys would
// land on other partitions than the agents' and kafkajs' — `compatibilityPartitioner` is Java's.
import { compatibilityPartitioner, Consumer, Producer, type Message } from '@platformatic/kafka';
import { OffsetTracker, runId, slices, type BenchRecord, type ClientAdapter, type ProduceSettings, type TransformResult } from './adapter.js';

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

export function platformaticAdapter(brokers: readonly string[]): ClientAdapter {
  const base = { clientId: 'meterline-bench', bootstrapBrokers: [...brokers] };
  const consumer = (groupId: string) => new Consumer({ ...base, groupId, maxBytes: 32 << 20, maxBytesPerPartition: 4 << 20 });
  const toSend = (topic: string, records: readonly { key: Buffer | string; value: Buffer }[]) =>
    records.map((r) => ({ topic, key: typeof r.key === 'string' ? Buffer.from(r.key) : r.key, value: r.value }));

  return {
    name: '@platformatic/kafka',

    async produce(topic: string, records: readonly BenchRecord[], s: ProduceSettings) {
      const producer = new Producer({ ...base, idempotent: true, acks: -1, partitioner: compatibilityPartitioner });
      try {
        // The first send pays InitProducerId and metadata: one record, untimed.
        await producer.send({ messages: toSend(topic, records.slice(0, 1)) });
        const t0 = performance.now();
        for (let i = 1; i < records.length; i += s.batch) await producer.send({ messages: toSend(topic, records.slice(i, i + s.batch)) });
        return (performance.now() - t0) / 1000;
      } finally {
        await producer.close();
      }
    },

    async readGroup(topic: string, total: number) {
      const c = consumer(`kc-read-${runId()}`);
      let t0 = 0;
      c.on('consumer:group:join', () => (t0 ||= performance.now()));
      try {
        const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
        let seen = 0;
        const seconds = await new Promise<number>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('data', () => {
            if (++seen === total) resolve((performance.now() - t0) / 1000);
          });
        });
        await stream.close();
        return seconds;
      } finally {
        await c.close(true);
      }
    },

    async transform(input: string, output: string, total: number, commitEveryMs: number, s: ProduceSettings): Promise<TransformResult> {
      const id = runId();
      const groupId = `kc-txn-${id}`;
      const c = consumer(groupId); // read_committed is this client's default isolation level
      const producer = new Producer({ ...base, idempotent: true, acks: -1, transactionalId: `kc-txn-${id}`, partitioner: compatibilityPartitioner });
      let t0 = 0;
      c.on('consumer:group:join', () => (t0 ||= performance.now()));
      try {
        const stream = await c.consume({ topics: [input], mode: 'earliest', autocommit: false });
        // The stream pushes records one by one; they are sent in batches of what arrived meanwhile.
        const queue: Msg[] = [];
        let wake: () => void = () => undefined;
        let failed: unknown;
        stream.on('error', (e) => ((failed = e), wake()));
        stream.on('data', (m: Msg) => {
          queue.push(m);
          if (queue.length >= 20_000) stream.pause();
          wake();
        });
        const offsets = new OffsetTracker();
        const last = new Map<number, Msg>(); // per partition: the message whose offset is committed
        const commitMs: number[] = [];
        let txn: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
        let txnStart = 0;
        while (offsets.consumed < total) {
          if (queue.length === 0) await new Promise<void>((r) => (wake = r));
          if (failed) throw failed;
          const batch = queue.splice(0);
          stream.resume();
          if (batch.length === 0) continue;
          if (!txn) {
            txn = await producer.beginTransaction();
            txnStart = performance.now();
          }
          for (const part of slices(batch, s.batch)) await txn.send({ messages: toSend(output, part) });
          for (const m of batch) {
            offsets.add(m.partition, m.offset);
            last.set(m.partition, m);
          }
          if (offsets.consumed >= total || performance.now() - txnStart >= commitEveryMs) {
            const c0 = performance.now();
            // addConsumer + addOffset = AddOffsetsToTxn + TxnOffsetCommit: sendOffsetsToTransaction.
            await txn.addConsumer(c);
            for (const m of last.values()) await txn.addOffset(m);
            await txn.commit();
            commitMs.push(performance.now() - c0);
            txn = undefined;
            last.clear();
          }
        }
        const seconds = (performance.now() - t0) / 1000;
        await stream.close();
        return { seconds, commitMs, groupId };
      } finally {
        await c.close(true);
        await producer.close();
      }
    },
  };
}
