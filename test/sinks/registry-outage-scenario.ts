// Shared set-up of the registry-outage tests of the sink and the rate role (both decode
// usage.rollups through avro/rollup-batch.ts): fresh topics and database, five good parts of
// five distinct windows (sums 1…5) on partition 0, and a serde whose first two rollup decodes
// fail as a Schema Registry outage does.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../kafka/topics.js';
import { plainSerde, type AvroSerde } from '../../avro/serde.js';
import { rollupToRecord } from '../../avro/records.js';
import { MeterlineError } from '../../lib/errors.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { freshDb, type FreshDb } from './fresh-db.js';

export interface OutageScenario {
  prefix: string;
  kafka: Kafka;
  db: FreshDb;
  serde: AvroSerde;
  topics: ReturnType<typeof topicNames>;
  /** Resolves once a role reports its partition-0 offset past the five parts. */
  done: Promise<void>;
  onBatch: (info: { partition: number; nextOffset: string }) => void;
}

export async function registryOutageScenario(name: string): Promise<OutageScenario> {
  const prefix = `t${randomBytes(4).toString('hex')}.${name}-registry.`;
  const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' }); // the injected outage is logged by kafkajs as an error
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config));
  await admin.disconnect();
  const topics = topicNames(prefix);
  const db = await freshDb(`${name}_registry`);
  after(() => db.drop());

  const base = plainSerde();
  let failures = 2;
  const serde: AvroSerde = {
    format: base.format,
    encode: (k, t, r) => base.encode(k, t, r),
    async decode(kind, topic, value) {
      if (kind === 'rollup' && failures > 0) {
        failures--;
        throw new MeterlineError('unavailable', 'injected: Schema Registry: cannot fetch schema id 7');
      }
      return base.decode(kind, topic, value);
    },
  };
  const parts: RollupPart[] = Array.from({ length: 5 }, (_, i) => ({
    partId: `raw:0:${i}:requests:${i * 60_000}`,
    serverId: 'srv-1',
    meter: 'requests',
    windowStartMs: Date.UTC(2026, 9, 1) + i * 60_000,
    windowEndMs: Date.UTC(2026, 9, 1) + (i + 1) * 60_000,
    correction: false,
    state: { count: 1, sum: String(i + 1) },
    source: { topic: 'raw', partition: 0, firstOffset: String(i), lastOffset: String(i) },
  }));
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic: topics.rollups,
    acks: -1,
    messages: await Promise.all(
      parts.map(async (p) => ({ key: p.serverId, partition: 0, value: await base.encode('rollup', topics.rollups, rollupToRecord(p)) })),
    ),
  });
  await producer.disconnect();

  let reached: () => void = () => undefined;
  const done = new Promise<void>((r) => (reached = r));
  const onBatch = (info: { partition: number; nextOffset: string }) => {
    if (info.partition === 0 && BigInt(info.nextOffset) >= 5n) reached();
  };
  return { prefix, kafka, db, serde, topics, done, onBatch };
}
