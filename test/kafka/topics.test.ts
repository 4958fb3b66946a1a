import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topicSpecs, topicNames, compactedTopicSpec, rawRetentionMs } from '../../kafka/topics.js';
import { loadConfig } from '../../config/env.js';

const DAY = 86_400_000;

test('topic names carry the prefix', () => {
  assert.deepEqual(topicNames('t1.'), {
    raw: 't1.metrics.raw', dlq: 't1.metrics.dlq', rollups: 't1.usage.rollups', aggregateState: 't1.aggregate.state', documents: 't1.billing.documents',
  });
});

test('metrics.raw outlives the dedup horizon by the margin; partitions and replication from config', () => {
  const cfg = loadConfig({ KAFKA_PARTITIONS: '12', KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2', METERLINE_DEDUP_HORIZON: '40d' });
  const specs = topicSpecs(cfg);
  const raw = specs.find((s) => s.name === 'metrics.raw');
  // dedup horizon 40 d > max sample age 35 d (default), + 7 d margin = 47 d.
  assert.equal(raw?.configs['retention.ms'], String(47 * DAY));
  assert.equal(raw?.configs['cleanup.policy'], 'delete');
  assert.equal(raw?.partitions, 12);
  assert.equal(raw?.replicationFactor, 3);
  assert.equal(raw?.configs['min.insync.replicas'], '2');
  assert.equal(specs.find((s) => s.name === 'metrics.dlq')?.partitions, 1);
  assert.equal(specs.find((s) => s.name === 'usage.rollups')?.partitions, 12);
  const state = specs.find((s) => s.name === 'aggregate.state');
  assert.equal(state?.configs['cleanup.policy'], 'compact');
  assert.equal(state?.configs['retention.ms'], undefined);
});

test('defaults: 35 d horizon → 42 d; min.insync.replicas never above the replication factor', () => {
  const cfg = loadConfig({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' });
  assert.equal(rawRetentionMs(cfg), 42 * DAY);
  for (const s of topicSpecs(cfg)) assert.equal(s.configs['min.insync.replicas'], '1');
});

test('compacted topic helper: compact policy, overrides win', () => {
  const cfg = loadConfig({});
  const spec = compactedTopicSpec(cfg, 'x.state', 3, { 'segment.ms': '1000' });
  assert.equal(spec.configs['cleanup.policy'], 'compact');
  assert.equal(spec.configs['segment.ms'], '1000');
  assert.equal(spec.partitions, 3);
});
