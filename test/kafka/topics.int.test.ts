// Topic creation against the stack's Kafka: the documented layout is applied, a second run
// changes nothing, and an existing topic that differs is reported, never altered.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ConfigResourceTypes } from 'kafkajs';
// kafkajs is CommonJS and its enums are not visible as ESM named exports: the TOPIC value.
const TOPIC = 2 as ConfigResourceTypes;
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../kafka/topics.js';

const prefix = `t${randomBytes(4).toString('hex')}.topics.`;
const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '3' });
const kafka = createKafka(config.kafka, { role: 'test-topics', level: 'nothing' });
const names = topicNames(prefix);

after(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [...Object.values(names), `${prefix}odd`] }).catch(() => undefined);
  await admin.disconnect();
});

test('created with the documented partitions and configs; a second run is a no-op', async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const first = await ensureTopics(admin, topicSpecs(config));
    assert.deepEqual(first.created.sort(), Object.values(names).sort());
    const meta = await admin.fetchTopicMetadata({ topics: Object.values(names) });
    const parts = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
    assert.deepEqual(parts, { [names.raw]: 3, [names.dlq]: 1, [names.rollups]: 3, [names.aggregateState]: 3, [names.documents]: 3 });
    const cfg = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [names.raw, names.aggregateState, names.documents].map((name) => ({ type: TOPIC, name, configNames: ['cleanup.policy', 'retention.ms', 'min.insync.replicas'] })),
    });
    const get = (topic: string, key: string) => cfg.resources.find((r) => r.resourceName === topic)?.configEntries.find((e) => e.configName === key)?.configValue;
    assert.equal(get(names.raw, 'cleanup.policy'), 'delete');
    assert.equal(get(names.raw, 'retention.ms'), String(42 * 86_400_000)); // 35 d horizon + 7 d
    assert.equal(get(names.raw, 'min.insync.replicas'), '1');
    assert.equal(get(names.aggregateState, 'cleanup.policy'), 'compact');
    assert.equal(get(names.documents, 'retention.ms'), '-1'); // accounting records: kept forever

    const second = await ensureTopics(admin, topicSpecs(config));
    assert.deepEqual(second.created, []);
    assert.deepEqual(second.existing.sort(), Object.values(names).sort());
    assert.deepEqual(second.warnings, []);

    // Someone made a topic by hand with another layout: reported, left alone.
    // waitForLeaders: false — kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION (seen under
    // load); ensureTopics below waits for the leaders itself.
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic: `${prefix}odd`, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    const odd = await ensureTopics(admin, [{ name: `${prefix}odd`, partitions: 4, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
    assert.deepEqual(odd.warnings, [
      `topic ${prefix}odd has 2 partitions, configured 4 (left as is)`,
      `topic ${prefix}odd has cleanup.policy=delete, configured compact (left as is)`,
    ]);
  } finally {
    await admin.disconnect();
  }
});
