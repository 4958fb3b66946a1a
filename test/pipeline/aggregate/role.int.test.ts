// The aggregate role (pipeline/aggregate/role.ts) against the local Kafka when a commit fails
// and the partition is restored from its checkpoint in the same process: every sample must be
// counted exactly once. A failed commit is injected through the serde (the Schema Registry
// unreachable for one record); records keep arriving meanwhile, so kafkajs has batches fetched
// from *after* the failed commit in hand when the restore moves the position back.
// Expected totals are worked by hand: delta meter, sample i carries the value i.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { transactionsFor } from '../../../pipeline/aggregate/transaction.js';
import { ensureTopics, topicNames, topicSpecs } from '../../../kafka/topics.js';
import { plainSerde, type AvroSerde } from '../../../avro/serde.js';
import { sampleToRecord } from '../../../avro/records.js';
import { createLogger } from '../../../observability/log.js';
import { MeterlineError } from '../../../lib/errors.js';
import { startAggregate, type AggregateRole } from '../../../pipeline/aggregate/role.js';
import type { CommitInfo } from '../../../pipeline/aggregate/owner.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { committedParts } from './committed-parts.js';
import { meter, T0, MIN } from '../aggregation/helpers.js';
import { memoryDedup } from './fake-dedup.js';

const roles: AggregateRole[] = [];
after(async () => {
  for (const r of roles) await r.stop().catch(() => undefined);
});

interface Setup {
  kafka: Kafka;
  topics: ReturnType<typeof topicNames>;
  /** Makes the next rollup encode throw once; resolves when it did. */
  failNextCommit(): Promise<void>;
  /** Makes the next `n` sample decodes fail as a Schema Registry outage does. */
  registryDown(n: number): void;
  /** Resolves when partition 0's committed next offset reaches `offset`. */
  committed(offset: number): Promise<void>;
  /** Rollup parts inside the transactions the role reported committed so far. */
  partsCommitted(): number;
  produce(from: number, to: number, extra?: { ts: number; value: string }): Promise<void>;
}

async function setup(label: string): Promise<Setup> {
  const prefix = `t${randomBytes(4).toString('hex')}.${label}.`;
  const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config.kafka, { role: 'test', level: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config));
  await admin.disconnect();
  const topics = topicNames(prefix);
  const base = plainSerde();
  let fail: (() => void) | undefined;
  let decodeFailures = 0;
  const serde: AvroSerde = {
    format: base.format,
    async decode(kind, topic, value) {
      if (kind === 'sample' && decodeFailures > 0) {
        decodeFailures--;
        throw new MeterlineError('unavailable', 'injected: Schema Registry: cannot fetch schema id 7');
      }
      return base.decode(kind, topic, value);
    },
    async encode(kind, topic, record) {
      if (kind === 'rollup' && fail) {
        const done = fail;
        fail = undefined;
        done();
        throw new Error('injected: registry unreachable');
      }
      return base.encode(kind, topic, record);
    },
  };
  const waiters: { offset: number; resolve: () => void }[] = [];
  let high = 0;
  let parts = 0;
  const onCommit = (info: CommitInfo) => {
    parts += info.parts;
    if (info.partition !== 0) return;
    high = Math.max(high, Number(info.nextOffset));
    for (const w of waiters) if (high >= w.offset) w.resolve();
  };
  roles.push(
    await startAggregate({
      kafka,
      // METERLINE_KAFKA_CLIENT picks the transactional producers, as in the role (run with both).
      transactions: transactionsFor(config.kafka, kafka, () => undefined),
      serde,
      dedup: memoryDedup(),
      topics: { raw: topics.raw, rollups: topics.rollups, dlq: topics.dlq, state: topics.aggregateState },
      aggregator: {
        meters: [meter('requests', 'http_requests', 'delta', 'sum')],
        windowMs: MIN,
        allowedLatenessMs: 0,
        idleTimeoutMs: Infinity,
      },
      log: createLogger('silent'),
      groupId: `${prefix}meterline-aggregate`,
      commitEveryMs: 100,
      tickMs: 50,
      onCommit,
    }),
  );
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  after(() => producer.disconnect());
  return {
    kafka,
    topics,
    failNextCommit: () => new Promise<void>((r) => (fail = r)),
    registryDown: (n) => (decodeFailures = n),
    partsCommitted: () => parts,
    committed: (offset) =>
      new Promise<void>((resolve) => (high >= offset ? resolve() : waiters.push({ offset, resolve }))),
    async produce(from, to, extra) {
      const messages = [];
      // Sample i (offset i on partition 0): value i+1 in window i, so each closes the one before.
      for (let i = from; i < to; i++) {
        const s = { id: `s${i}`, serverId: 'srv-1', tsMs: T0 + i * MIN, metrics: { http_requests: String(i + 1) }, labels: {} };
        messages.push({ key: 'srv-1', partition: 0, value: await base.encode('sample', topics.raw, sampleToRecord(s)) });
      }
      if (extra) {
        const s = { id: `close-${from}`, serverId: 'srv-1', tsMs: extra.ts, metrics: { http_requests: extra.value }, labels: {} };
        messages.push({ key: 'srv-1', partition: 0, value: await base.encode('sample', topics.raw, sampleToRecord(s)) });
      }
      await producer.send({ topic: topics.raw, acks: -1, messages });
    },
  };
}

function total(parts: readonly RollupPart[]): { sum: bigint; count: number; ids: number } {
  return {
    sum: parts.reduce((n, p) => n + BigInt(p.state.sum ?? '0'), 0n),
    count: parts.reduce((n, p) => n + p.state.count, 0),
    ids: new Set(parts.map((p) => p.partId)).size,
  };
}

test('a failed commit after a checkpoint: the restore replays from the checkpoint, not from batches already fetched', async () => {
  const s = await setup('lose-ckpt');
  await s.produce(0, 10); // A: offsets 0..9
  await s.committed(10);
  const failed = s.failNextCommit();
  await s.produce(10, 20); // B: its commit fails
  await failed;
  // C arrives while the partition is being restored: kafkajs fetches it from past B.
  await s.produce(20, 30, { ts: T0 + 100 * MIN, value: '0' }); // offsets 20..30, 30 closes all
  await s.committed(31);
  const t = total(await committedParts(s.kafka, s.topics.rollups, s.partsCommitted()));
  // Σ 1..30 = 30·31/2 = 465 over 31 samples (the closing one adds 0 but counts).
  assert.deepEqual({ sum: t.sum, count: t.count }, { sum: 465n, count: 30 });
  assert.equal(t.ids, 30, 'one part per closed window, no id twice');
});

test('a failed first commit (no checkpoint yet): the restore replays from the start of the partition', async () => {
  const s = await setup('lose-first');
  const failed = s.failNextCommit();
  await s.produce(0, 10); // A: the partition's first commit fails
  await failed;
  await s.produce(10, 20, { ts: T0 + 100 * MIN, value: '0' }); // offsets 10..20
  await s.committed(21);
  const t = total(await committedParts(s.kafka, s.topics.rollups, s.partsCommitted()));
  // Σ 1..20 = 210 over the 20 numbered samples.
  assert.deepEqual({ sum: t.sum, count: t.count }, { sum: 210n, count: 20 });
  assert.equal(t.ids, 20);
});

test('a Schema Registry outage while reading samples delays them; good samples are not dead-lettered', async () => {
  const s = await setup('registry-down');
  s.registryDown(3); // the first three decodes fail as "unavailable" (not "bad bytes")
  await s.produce(0, 10, { ts: T0 + 100 * MIN, value: '0' }); // offsets 0..10
  await s.committed(11);
  const t = total(await committedParts(s.kafka, s.topics.rollups, s.partsCommitted()));
  // Σ 1..10 = 55 over the 10 numbered samples.
  assert.deepEqual({ sum: t.sum, count: t.count }, { sum: 55n, count: 10 });
});
