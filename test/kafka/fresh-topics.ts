// Fresh topics for an integration test, created through the product's ensureTopics: kafkajs'
// own `createTopics({ waitForLeaders: true })` waits out LEADER_NOT_AVAILABLE but fails on the
// UNKNOWN_TOPIC_OR_PARTITION a broker answers while a new topic's metadata propagates (seen as a
// flaky test in CI); ensureTopics waits for a leader on every partition whatever the answer.
import type { Admin } from 'kafkajs';
import { ensureTopics } from '../../kafka/topics.js';

export interface FreshTopic {
  topic: string;
  numPartitions: number;
  /** The broker's default (-1) unless given, as kafkajs' createTopics. */
  replicationFactor?: number;
}

export async function createFreshTopics(admin: Admin, topics: readonly FreshTopic[]): Promise<void> {
  await ensureTopics(
    admin,
    topics.map((t) => ({ name: t.topic, partitions: t.numPartitions, replicationFactor: t.replicationFactor ?? -1, configs: {} })),
  );
}
