// The node-rdkafka acknowledged producer against the stack's Kafka: what a send acknowledged is
// on the topic with its key, value, headers and timestamp; each key lands on the partition
// kafkajs' DefaultPartitioner (Java's murmur2) picks; a broker nobody listens on → `unavailable`
// within the ack timeout, the process carries on, and close() is bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { createRdkafkaAckedProducer } from '../../../kafka/rdkafka/acked-client.js';
import { isKind } from '../../../lib/errors.js';
import { collect } from '../read-topic.js';
import { createFreshTopics } from '../fresh-topics.js';

const config = loadConfig(process.env);
const topic = `t${randomBytes(4).toString('hex')}.rdkafka-acked`;
const PARTITIONS = 6;
const admin = createKafka(config.kafka, { level: 'nothing' }).admin();

before(async () => {
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: config.kafka.replicationFactor }]);
});
after(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('acknowledged records are on the topic as sent, each key on the partition Java/kafkajs would pick', async () => {
  const logs: string[] = [];
  // metadataTopic as ingest passes it: the placement check below also covers the topic handle
  // the narrowed connect creates (it must keep murmur2).
  const p = createRdkafkaAckedProducer(config.kafka, { role: 'test', ackTimeoutMs: 20_000, metadataTopic: topic, log: (level, msg) => logs.push(`${level} ${msg}`) });
  const reader = await collect(createKafka(config.kafka, { level: 'nothing' }), [topic]);
  try {
    const n = 300;
    const ts = Date.UTC(2026, 0, 2, 3, 4, 5);
    const records = Array.from({ length: n }, (_, i) => ({
      topic, key: `srv-${i}`, value: Buffer.from(`value-${i}`), headers: { 'content-type': 'application/x-test', n: String(i) }, timestampMs: ts + i,
    }));
    // Three concurrent sends, as concurrent HTTP requests make them.
    await Promise.all([p.send(records.slice(0, 100)), p.send(records.slice(100, 200)), p.send(records.slice(200))]);
    await reader.until(() => reader.got.length >= n, `${n} records`);
    assert.equal(reader.got.length, n, 'each record once');
    // The reference placement: kafkajs' DefaultPartitioner (murmur2 of the key, positive, mod partitions).
    const place = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, id) => ({ partitionId: id, leader: 1 }) as PartitionMetadata);
    const partitionsUsed = new Set<number>();
    for (const g of reader.got) {
      const key = g.message.key?.toString() ?? '';
      const i = Number(key.slice('srv-'.length));
      assert.equal(g.message.value?.toString(), `value-${i}`);
      assert.equal(g.message.timestamp, String(ts + i));
      assert.equal(g.message.headers?.['content-type']?.toString(), 'application/x-test');
      assert.equal(g.message.headers?.n?.toString(), String(i));
      assert.equal(g.partition, place({ topic, partitionMetadata, message: { key, value: null } }), `partition of ${key}`);
      partitionsUsed.add(g.partition);
    }
    assert.equal(partitionsUsed.size, PARTITIONS, '300 keys spread over every partition');
    // A record without a key (round robin) and without a timestamp (now) goes too.
    const before = Date.now();
    await p.send([{ topic, key: null, value: Buffer.from('no-key') }]);
    await reader.until(() => reader.got.some((g) => g.message.value?.toString() === 'no-key'), 'the keyless record');
    const keyless = reader.got.find((g) => g.message.value?.toString() === 'no-key');
    assert.equal(keyless?.message.key, null);
    assert.ok(Number(keyless?.message.timestamp) >= before - 1000, 'record time defaults to now');
    assert.deepEqual(logs.filter((l) => l.startsWith('error')), []);
  } finally {
    await reader.stop();
    await p.close();
  }
});

test('no broker listening: unavailable within the ack timeout, again at once, and close() is bounded', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = (s.address() as { port: number }).port;
      s.close(() => resolve(a));
    });
  });
  const warnings: string[] = [];
  const p = createRdkafkaAckedProducer({ ...config.kafka, brokers: [`127.0.0.1:${port}`] }, {
    ackTimeoutMs: 1500, closeTimeoutMs: 500, log: (level, msg) => level !== 'debug' && level !== 'info' && warnings.push(msg),
  });
  const t0 = Date.now();
  await assert.rejects(p.send([{ topic, key: 'srv-x', value: Buffer.from('x') }]), (err) => isKind(err, 'unavailable'));
  const waited = Date.now() - t0;
  assert.ok(waited >= 1400 && waited < 5000, `answered after ${waited} ms`);
  await assert.rejects(p.send([{ topic, key: 'srv-x', value: Buffer.from('x') }]), (err) => isKind(err, 'unavailable'));
  assert.ok(warnings.length > 0, 'librdkafka said why, through the log hook');
  const c0 = Date.now();
  await p.close();
  assert.ok(Date.now() - c0 < 3000, `close took ${Date.now() - c0} ms`);
});
