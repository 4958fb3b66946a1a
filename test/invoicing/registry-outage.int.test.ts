// The rate role (invoicing/rate-role.ts) when the Schema Registry cannot be reached while it
// decodes rollup parts: the parts are good, so they must reach rating_parts once the registry
// answers, not the DLQ (a part lost there is usage no invoice ever bills).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../kafka/topics.js';
import { plainSerde, type AvroSerde } from '../../avro/serde.js';
import { rollupToRecord } from '../../avro/records.js';
import { MeterlineError } from '../../lib/errors.js';
import { createLogger } from '../../observability/log.js';
import { startRate } from '../../invoicing/rate-role.js';
import { catalog } from './fixtures.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { freshDb } from '../sinks/fresh-db.js';

test('a Schema Registry outage while decoding parts delays them; every part reaches rating_parts, none dead-lettered', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}.rate-registry.`;
  const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' }); // the injected outage is logged by kafkajs as an error
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config));
  await admin.disconnect();
  const topics = topicNames(prefix);
  const db = await freshDb('rate_registry');
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
  // Five parts of five distinct windows: five rows expected.
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
      parts.map(async (p) => ({
        key: p.serverId,
        partition: 0,
        value: await base.encode('rollup', topics.rollups, rollupToRecord(p)),
      })),
    ),
  });
  await producer.disconnect();

  let reached: () => void = () => undefined;
  const done = new Promise<void>((r) => (reached = r));
  const rate = await startRate({
    kafka,
    pool: db.pool,
    serde,
    topics: { rollups: topics.rollups, dlq: topics.dlq },
    ctx: { catalog: catalog(), now: () => Date.UTC(2026, 10, 1) },
    log: createLogger('silent'),
    groupId: `${prefix}meterline-rate`,
    onBatch: (info) => {
      if (info.partition === 0 && BigInt(info.nextOffset) >= 5n) reached();
    },
  });
  after(() => rate.stop());
  await done;
  const { rows } = await db.pool.query<{ n: number; s: string }>(
    "SELECT count(*)::int AS n, sum((state->>'sum')::numeric)::text AS s FROM rating_parts",
  );
  // 1 + 2 + 3 + 4 + 5 = 15
  assert.deepEqual(rows[0], { n: 5, s: '15' });
});
