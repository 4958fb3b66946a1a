// Shared set-up of the registry-outage tests of the sink and the rate role (both read
// usage.rollups: the rate role through avro/rollup-batch.ts, the sink through
// sinks/rollup-rows.ts): fresh topics and database, five good parts of five distinct windows
// (sums 1…5) on partition 0 in Confluent wire format, and a serde whose (in-memory) Schema
// Registry is unreachable for the role's first two calls.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../kafka/topics.js';
import { registrySerde, type AvroSerde, type RegistryClient } from '../../avro/serde.js';
import { rollupToRecord } from '../../avro/records.js';
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

  // An in-memory Schema Registry: the parts go out in Confluent wire format, so reading them
  // needs the registry (records in single-object encoding carry their schema and never would).
  const schemas: string[] = [];
  let outage = 0;
  const down = () => {
    outage--;
    return Promise.reject(new Error('injected: Schema Registry: connect ECONNREFUSED'));
  };
  const registry: RegistryClient = {
    register: (_subject, schema) => {
      if (outage > 0) return down();
      const known = schemas.indexOf(schema.schema);
      return Promise.resolve(known >= 0 ? known + 1 : schemas.push(schema.schema));
    },
    getBySubjectAndId: (_subject, id) => {
      if (outage > 0) return down();
      const schema = schemas[id - 1];
      return schema === undefined ? Promise.reject(Object.assign(new Error('not found'), { status: 404 })) : Promise.resolve({ schema });
    },
  };
  const serde = registrySerde(registry);
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
      parts.map(async (p) => ({ key: p.serverId, partition: 0, value: await serde.encode('rollup', topics.rollups, rollupToRecord(p)) })),
    ),
  });
  await producer.disconnect();
  outage = 2; // the role's next two registry calls fail as an unreachable registry does

  let reached: () => void = () => undefined;
  const done = new Promise<void>((r) => (reached = r));
  const onBatch = (info: { partition: number; nextOffset: string }) => {
    if (info.partition === 0 && BigInt(info.nextOffset) >= 5n) reached();
  };
  return { prefix, kafka, db, serde, topics, done, onBatch };
}
