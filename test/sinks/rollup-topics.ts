// Fresh topics (own prefix) and a way to put rollup parts on usage.rollups partition 0, for the
// sink's and the rate role's poison-record tests.
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../kafka/topics.js';
import { plainSerde } from '../../avro/serde.js';
import { recordToDeadLetter, rollupToRecord, type DeadLetter } from '../../avro/records.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { collect } from '../kafka/read-topic.js';

export interface RollupTopics {
  prefix: string;
  kafka: Kafka;
  topics: ReturnType<typeof topicNames>;
  /** Produces the parts, in order, to usage.rollups partition 0 (offsets 0, 1, …). */
  produce(parts: RollupPart[]): Promise<void>;
  /** The dead letters on metrics.dlq once there are `n` of them. */
  deadLetters(n: number): Promise<DeadLetter[]>;
}

/** `env` overrides the environment (KAFKA_BROKERS of a test-owned broker, a chosen KAFKA_TOPIC_PREFIX). */
export async function rollupTopics(name: string, env: NodeJS.ProcessEnv = {}): Promise<RollupTopics> {
  const prefix = env.KAFKA_TOPIC_PREFIX ?? `t${randomBytes(4).toString('hex')}.${name}.`;
  const config = loadConfig({ ...process.env, ...env, KAFKA_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config));
  await admin.disconnect();
  const topics = topicNames(prefix);
  const serde = plainSerde();
  return {
    prefix,
    kafka,
    topics,
    async produce(parts) {
      const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const messages = await Promise.all(
        parts.map(async (p) => ({ key: p.serverId, partition: 0, value: await serde.encode('rollup', topics.rollups, rollupToRecord(p)) })),
      );
      await producer.send({ topic: topics.rollups, acks: -1, messages });
      await producer.disconnect();
    },
    async deadLetters(n) {
      const dlq = await collect(kafka, [topics.dlq]);
      try {
        await dlq.until(() => dlq.got.length >= n, `${n} dead letters`);
        return Promise.all(dlq.got.map(async (c) => recordToDeadLetter(await serde.decode('dlq', topics.dlq, c.message.value as Buffer))));
      } finally {
        await dlq.stop();
      }
    },
  };
}

/** Part i of a one-server series: window i (1-minute windows from 2026-10-01), sum i + 1. */
export function seriesPart(i: number, serverId = 'srv-1'): RollupPart {
  const start = Date.UTC(2026, 9, 1) + i * 60_000;
  return {
    partId: `raw:0:${i}:requests:${start}:${serverId}`,
    serverId,
    meter: 'requests',
    windowStartMs: start,
    windowEndMs: start + 60_000,
    correction: false,
    state: { count: 1, sum: String(i + 1) },
    source: { topic: 'raw', partition: 0, firstOffset: String(i), lastOffset: String(i) },
  };
}
