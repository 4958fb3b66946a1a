// node-rdkafka (librdkafka 2.12, built from its bundled sources at install) under
// `meterline bench kafka-clients`. librdkafka batches by itself from a per-record queue
// (linger.ms), pipelines up to 5 requests per broker with idempotence on, and its
// murmur2_random partitioner places keys as kafkajs' DefaultPartitioner (Java's) does.
import rdkafka from 'node-rdkafka';
import type { KafkaConsumer, LibrdKafkaError, Message, Producer } from 'node-rdkafka';
import { call, connect } from '../../kafka/rdkafka/connect.js';
import { OffsetTracker, runId, type BenchRecord, type ClientAdapter, type ProduceSettings, type TransformResult } from './adapter.js';

const ASSIGN_PARTITIONS = -175;
const QUEUE_FULL = -184;
const TIMEOUT_MS = 30_000;
/**
 * Topic-level settings: acks=all (idempotence implies it; said as the roles' producer says it)
 * and Java's murmur2 for keys. node-rdkafka's topic config replaces the topic-level properties
 * of the global one, so the partitioner must be here: set globally it was silently dropped
 * (librdkafka's default, CRC32, put keys elsewhere — test/bench/kafka-clients caught it).
 */
const ACKS_ALL = { 'request.required.acks': -1, 'partitioner': 'murmur2_random' } as const;


const consumeBatch = (c: KafkaConsumer, n: number) =>
  new Promise<Message[]>((resolve, reject) => c.consume(n, (err, msgs) => (err ? reject(err) : resolve(msgs))));

/** produce() with back-pressure: on a full local queue, serve delivery reports and retry. */
async function produceOne(p: Producer, topic: string, r: BenchRecord): Promise<void> {
  for (;;) {
    try {
      p.produce(topic, null, r.value, r.key);
      return;
    } catch (e) {
      if ((e as LibrdKafkaError).code !== QUEUE_FULL) throw e;
      p.poll();
      await new Promise((res) => setTimeout(res, 5));
    }
  }
}

export function rdkafkaAdapter(brokers: readonly string[]): ClientAdapter {
  const base = { 'metadata.broker.list': brokers.join(','), 'client.id': 'meterline-bench' } as const;

  function consumer(groupId: string): KafkaConsumer {
    const c = new rdkafka.KafkaConsumer(
      { ...base, 'group.id': groupId, 'enable.auto.commit': false, 'rebalance_cb': true, 'fetch.max.bytes': 32 << 20, 'max.partition.fetch.bytes': 4 << 20 },
      { 'auto.offset.reset': 'earliest' },
    );
    // consume(n) returns early only when no record came within this timeout (1 s by default):
    // short, so a drained topic or a due commit is not held up.
    c.setDefaultConsumeTimeout(50);
    return c;
  }

  return {
    name: 'node-rdkafka',

    async produce(topic: string, records: readonly BenchRecord[], s: ProduceSettings) {
      const p = new rdkafka.Producer({
        ...base,
        'enable.idempotence': true,
        'linger.ms': s.lingerMs,
        'batch.size': 1 << 20,
        'batch.num.messages': 100_000,
        'queue.buffering.max.messages': 200_000,
        'dr_cb': true,
      }, ACKS_ALL);
      await connect(p);
      p.setPollInterval(10);
      let delivered = 0;
      let failed: LibrdKafkaError | undefined;
      let onAll: () => void = () => undefined;
      p.on('delivery-report', (err) => {
        if (err) failed = err;
        delivered++;
        if (delivered >= records.length) onAll();
      });
      const all = new Promise<void>((r) => (onAll = r));
      const first = records[0];
      if (!first) throw new Error('no records');
      // The first record pays InitProducerId and metadata: untimed.
      await produceOne(p, topic, first);
      await call((cb) => p.flush(TIMEOUT_MS, cb));
      const t0 = performance.now();
      for (let i = 1; i < records.length; i++) await produceOne(p, topic, records[i] as BenchRecord);
      await all;
      const seconds = (performance.now() - t0) / 1000;
      await call((cb) => p.disconnect(cb));
      if (failed) throw new Error(`delivery failed: ${failed.message}`);
      return seconds;
    },

    async readGroup(topic: string, total: number) {
      const c = consumer(`kc-read-${runId()}`);
      let t0 = 0;
      c.on('rebalance', (err) => {
        if (err.code === ASSIGN_PARTITIONS && t0 === 0) t0 = performance.now();
      });
      await connect(c);
      c.subscribe([topic]);
      let seen = 0;
      while (seen < total) seen += (await consumeBatch(c, 10_000)).length;
      const seconds = (performance.now() - t0) / 1000;
      await call((cb) => c.disconnect(cb));
      return seconds;
    },

    async transform(input: string, output: string, total: number, commitEveryMs: number): Promise<TransformResult> {
      const id = runId();
      const groupId = `kc-txn-${id}`;
      const c = consumer(groupId);
      // read_committed is librdkafka's default isolation.level; said here for the reader.
      const p = new rdkafka.Producer({
        ...base,
        'transactional.id': `kc-txn-${id}`,
        'enable.idempotence': true,
        'linger.ms': 5,
        'batch.size': 1 << 20,
        'queue.buffering.max.messages': 500_000,
      }, ACKS_ALL);
      let t0 = 0;
      c.on('rebalance', (err) => {
        if (err.code === ASSIGN_PARTITIONS && t0 === 0) t0 = performance.now();
      });
      await connect(p);
      p.setPollInterval(10);
      await call((cb) => p.initTransactions(TIMEOUT_MS, cb));
      await connect(c);
      c.subscribe([input]);
      const offsets = new OffsetTracker();
      const commitMs: number[] = [];
      let open = false;
      let txnStart = 0;
      while (offsets.consumed < total) {
        const msgs = await consumeBatch(c, 10_000);
        if (msgs.length === 0) continue;
        if (!open) {
          await call((cb) => p.beginTransaction(cb));
          open = true;
          txnStart = performance.now();
        }
        for (const m of msgs) {
          await produceOne(p, output, { key: String(m.key), value: m.value as Buffer });
          offsets.add(m.partition, BigInt(m.offset));
        }
        if (offsets.consumed >= total || performance.now() - txnStart >= commitEveryMs) {
          const c0 = performance.now();
          const list = offsets.entries().map(([partition, next]) => ({ topic: input, partition, offset: Number(next) }));
          await call((cb) => p.sendOffsetsToTransaction(list, c, TIMEOUT_MS, cb));
          await call((cb) => p.commitTransaction(TIMEOUT_MS, cb));
          commitMs.push(performance.now() - c0);
          open = false;
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      await call((cb) => c.disconnect(cb));
      await call((cb) => p.disconnect(cb));
      return { seconds, commitMs, groupId };
    },
  };
}
