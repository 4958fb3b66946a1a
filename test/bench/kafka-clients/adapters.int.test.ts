// The three client adapters of `meterline bench kafka-clients` against the stack's Kafka: what
// the bench times must be what it claims. Each client's idempotent produce writes every record
// once, its group read sees them all, its consume-transform-produce leaves exactly the input on
// the output topic for a read_committed reader (no loss, no duplicate) with the consumed
// offsets committed through the transactions; and the three put each key on the same
// partition (Java's murmur2), three implementations checked against each other.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { waitForLeaders } from '../../../kafka/topics.js';
import type { BenchRecord, ClientAdapter } from '../../../bench/kafka-clients/adapter.js';
import { kafkajsAdapter } from '../../../bench/kafka-clients/kafkajs.js';
import { rdkafkaAdapter } from '../../../bench/kafka-clients/rdkafka.js';
import { platformaticAdapter } from '../../../bench/kafka-clients/platformatic.js';
import { collect } from '../../kafka/read-topic.js';

const prefix = `t${randomBytes(4).toString('hex')}.kc.`;
const config = loadConfig(process.env);
const kafka = createKafka(config.kafka, { role: 'test-kc', level: 'nothing' });
const admin = kafka.admin();
const made: string[] = [];
const N = 600;
// 40 servers, 15 records each; values unique so a duplicate or a loss shows.
const records: BenchRecord[] = Array.from({ length: N }, (_, i) => ({ key: `srv-${String(i % 40).padStart(4, '0')}`, value: Buffer.from(`record-${i}`) }));
const partitionOf = new Map<string, Map<string, number>>(); // client → key → partition

after(async () => {
  await admin.deleteTopics({ topics: made }).catch(() => undefined);
  await admin.disconnect();
});

async function topics(name: string): Promise<[string, string]> {
  const pair: [string, string] = [`${prefix}${name}.in`, `${prefix}${name}.out`];
  if (made.length === 0) await admin.connect();
  made.push(...pair);
  // kafkajs' own leader wait gives up after a few retries on a broker that just started; ours waits.
  await admin.createTopics({ waitForLeaders: false, topics: pair.map((topic) => ({ topic, numPartitions: 6 })) });
  await waitForLeaders(admin, pair);
  return pair;
}

async function exercise(tag: string, adapter: ClientAdapter) {
  const [input, output] = await topics(tag);
  const produceSeconds = await adapter.produce(input, records, { batch: 100, lingerMs: 5 });
  assert.ok(produceSeconds > 0);
  assert.ok((await adapter.readGroup(input, N)) > 0);
  // Commits every 100 ms: several transactions, so offsets pass from one to the next.
  const t = await adapter.transform(input, output, N, 100, { batch: 100, lingerMs: 5 });
  assert.ok(t.commitMs.length >= 1);

  const reader = await collect(kafka, [input, output]); // kafkajs reads read_committed by default
  try {
    await reader.until(() => reader.got.length >= 2 * N, `${2 * N} records on ${input} and ${output}`, 60_000);
    const values = (topic: string) => reader.got.filter((g) => g.topic === topic).map((g) => `${g.message.key?.toString()}=${g.message.value?.toString()}`).sort();
    const expected = records.map((r) => `${r.key}=${r.value.toString()}`).sort();
    assert.deepEqual(values(input), expected, 'input: every record once');
    assert.deepEqual(values(output), expected, 'output: every record once, committed');
    const placed = new Map<string, number>();
    for (const g of reader.got.filter((x) => x.topic === input)) placed.set(g.message.key?.toString() ?? '', g.partition);
    partitionOf.set(tag, placed);
  } finally {
    await reader.stop();
  }
  const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [input] });
  const sum = (committed?.partitions ?? []).reduce((n, p) => n + Number(p.offset), 0);
  assert.equal(sum, N, 'the transactions committed the offsets of the whole input');
}

test('kafkajs: produce, group read, exactly-once transform', () => exercise('kafkajs', kafkajsAdapter(kafka)));
test('node-rdkafka: produce, group read, exactly-once transform', () => exercise('rdkafka', rdkafkaAdapter(config.kafka.brokers)));
test('@platformatic/kafka: produce, group read, exactly-once transform', () => exercise('platformatic', platformaticAdapter(config.kafka.brokers)));

test('the three clients put every key on the same partition', () => {
  const [a, b, c] = ['kafkajs', 'rdkafka', 'platformatic'].map((k) => partitionOf.get(k));
  assert.ok(a && b && c, 'the three runs above completed');
  assert.equal(a.size, 40);
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  // 40 keys over 6 partitions: a partitioner that ignored the key would use one or all evenly.
  assert.ok(new Set(a.values()).size > 1);
});
