// node-rdkafka's connect (kafka/rdkafka/connect.ts) against the stack's Kafka: with a topic it
// asks the broker for that topic's metadata alone — the every-topic answer cost ≈ 10 MiB per
// client on a broker with thousands of topics — and without one for every topic, which is why
// the narrowing is worth a test (the stack's broker holds at least the two topics made here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import rdkafka from 'node-rdkafka';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { rdkafkaBase } from '../../../kafka/rdkafka/config.js';
import { connect, disconnect } from '../../../kafka/rdkafka/connect.js';
import { createFreshTopics } from '../fresh-topics.js';

const config = loadConfig(process.env);
const id = randomBytes(4).toString('hex');
const topics = [`t${id}.rdkafka-connect-a`, `t${id}.rdkafka-connect-b`];
const admin = createKafka(config.kafka, { level: 'nothing' }).admin();

before(async () => {
  await admin.connect();
  await createFreshTopics(admin, topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: config.kafka.replicationFactor })));
});
after(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

const producer = () => new rdkafka.Producer({ ...rdkafkaBase(config.kafka, 'test'), 'allow.auto.create.topics': false }, {});

test('connect with a topic: the metadata answer names that topic alone, with its partitions', async () => {
  const p = producer();
  try {
    const md = await connect(p, { topic: topics[0] });
    assert.deepEqual(md.topics.map((t) => t.name), [topics[0]]);
    assert.equal(md.topics[0]?.partitions.length, 3);
    assert.ok(md.brokers.length >= 1, 'the brokers are in the answer too');
  } finally {
    await disconnect(p, 3000);
  }
});

test('connect without a topic: every topic of the cluster (what the narrowing avoids)', async () => {
  const p = producer();
  try {
    const names = new Set((await connect(p)).topics.map((t) => t.name));
    for (const t of topics) assert.ok(names.has(t), `${t} in the every-topic answer`);
  } finally {
    await disconnect(p, 3000);
  }
});
