// Smoke tests of the local Kafka 4 broker with kafkajs: plain produce/consume through a consumer
// group, and transactions (commit, abort, offsets sent inside a transaction) as the aggregator
// uses them. kafkajs negotiates API versions with the broker; these prove the pair works.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { waitUntil } from '../../stack/net.js';

const kafka = new Kafka({
  clientId: 'test-stack',
  brokers: loadConfig().kafka.brokers,
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const consumers: Consumer[] = [];
const unique = (what: string) => `test.stack.${what}.${Date.now()}.${randomBytes(3).toString('hex')}`;

after(async () => {
  for (const c of consumers) await c.disconnect();
  await admin.disconnect();
});

async function createTopic(partitions = 1): Promise<string> {
  const topic = unique('topic');
  await admin.connect();
  assert.equal(
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }),
    true,
  );
  return topic;
}

/** Reads values from the start of `topic` until `stop` says enough; returns them in order. */
async function readUntil(
  topic: string,
  opts: { isolation: 'read_committed' | 'read_uncommitted'; stop: (values: string[]) => boolean },
) {
  const consumer = kafka.consumer({
    groupId: unique('group'),
    readUncommitted: opts.isolation === 'read_uncommitted',
  });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString('utf8') ?? '');
          if (opts.stop(values)) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.stop();
  return values;
}

test('a record produced with acks=all is consumed through a consumer group', async () => {
  const topic = await createTopic();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const [meta] = await producer.send({
    topic,
    acks: -1,
    messages: [{ key: 'srv-1', value: 'hello', headers: { h: 'v' } }],
  });
  await producer.disconnect();
  assert.equal(meta?.errorCode, 0);
  assert.equal(meta?.baseOffset, '0'); // first record of a fresh topic
  const values = await readUntil(topic, { isolation: 'read_uncommitted', stop: (v) => v.length >= 1 });
  assert.deepEqual(values, ['hello']);
});

test('transactions: an aborted batch stays invisible to read_committed, a committed one arrives', async () => {
  const topic = await createTopic();
  const producer = kafka.producer({
    transactionalId: unique('txn'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
  await aborted.abort();
  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ value: 'committed-1' }] });
  await committed.commit();
  await producer.disconnect();
  // The aborted records precede the committed one in the log, so by the time 'committed-1'
  // arrives a read_committed consumer would already have delivered them had they leaked.
  const seen = await readUntil(topic, {
    isolation: 'read_committed',
    stop: (v) => v.includes('committed-1'),
  });
  assert.deepEqual(seen, ['committed-1']);
  // read_uncommitted sees all three data records (the abort marker is not a record).
  const raw = await readUntil(topic, {
    isolation: 'read_uncommitted',
    stop: (v) => v.includes('committed-1'),
  });
  assert.deepEqual(raw, ['aborted-1', 'aborted-2', 'committed-1']);
});

test('transactions: consumer offsets sent inside a committed transaction are stored for the group', async () => {
  const topic = await createTopic();
  const groupId = unique('eos-group');
  const producer = kafka.producer({
    transactionalId: unique('txn'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic, messages: [{ value: 'out' }] });
  await txn.sendOffsets({
    consumerGroupId: groupId,
    topics: [{ topic, partitions: [{ partition: 0, offset: '42' }] }],
  });
  await txn.commit();
  await producer.disconnect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(offsets?.partitions, [{ partition: 0, offset: '42', metadata: null }]);
});

test('admin APIs: topic configs, partitions, offsets by time, groups, record deletion and topic deletion', async () => {
  const topic = await createTopic(2);
  // ConfigResourceTypes.TOPIC is 2 (a const enum kafkajs does not expose as an ESM named export).
  const TOPIC = 2;
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
  });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: TOPIC, name: topic, configNames: ['retention.ms'] }],
  });
  assert.equal(
    described.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue,
    '7200000',
  );
  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `r${i}`, partition: 0 })) });
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets(topic);
  assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]).sort(), [
    [0, '0', '3'],
    [1, '0', '0'],
    [2, '0', '0'],
  ]);
  // Offsets by time: a timestamp before every record gives each partition's first offset.
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, 0);
  assert.equal(byTime.find((o) => o.partition === 0)?.offset, '0');
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
  const after = await admin.fetchTopicOffsets(topic);
  assert.equal(after.find((o) => o.partition === 0)?.low, '2');
  const groupId = unique('admin-group');
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
  assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === groupId));
  await admin.deleteGroups([groupId]);
  await admin.deleteTopics({ topics: [topic] });
  // Deletion completes asynchronously on the broker: wait for the metadata to drop it.
  await waitUntil(async () => !(await admin.listTopics()).includes(topic), {
    what: 'topic deletion',
    timeoutMs: 30_000,
  });
});
