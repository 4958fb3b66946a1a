// The sink with a record PostgreSQL refuses for good (here a part whose window ends where it
// starts: rollup_parts' CHECK (window_end > window_start)): the record is dead-lettered with
// the database's reason and counted, the other parts are stored, the partition moves on. And
// the offsets stored with the rows make a replay of the whole partition change nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../observability/log.js';
import { createMetrics } from '../../observability/metrics.js';
import { plainSerde } from '../../avro/serde.js';
import { startSink } from '../../sinks/role.js';
import { freshDb } from './fresh-db.js';
import { rollupTopics, seriesPart } from './rollup-topics.js';

test('a part the database refuses is dead-lettered with the reason; the rest stored; a replay stores nothing twice', async () => {
  const t = await rollupTopics('sink-poison');
  const db = await freshDb('sink_poison');
  after(() => db.drop());
  const parts = [0, 1, 2, 3, 4].map((i) => seriesPart(i));
  const bad = parts[2];
  assert.ok(bad);
  bad.windowEndMs = bad.windowStartMs; // refused by the CHECK constraint
  await t.produce(parts);

  const metrics = createMetrics();
  const groupId = `${t.prefix}meterline-sink`;
  const run = async () => {
    const batches: { skipped: number; inserted: number; poison: number }[] = [];
    let reached: () => void = () => undefined;
    const done = new Promise<void>((r) => (reached = r));
    const sink = await startSink({
      kafka: t.kafka,
      pool: db.pool,
      serde: plainSerde(),
      topics: { rollups: t.topics.rollups, dlq: t.topics.dlq },
      log: createLogger('silent'),
      metrics,
      groupId,
      onBatch: (info) => {
        batches.push(info);
        if (info.partition === 0 && BigInt(info.nextOffset) >= 5n) reached();
      },
    });
    await done;
    await sink.stop();
    return batches;
  };

  const first = await run();
  const { rows } = await db.pool.query<{ n: number; s: string }>('SELECT count(*)::int AS n, sum(sum)::text AS s FROM rollup_parts');
  // Parts 0, 1, 3, 4 have sums 1, 2, 4, 5 → 12; part 2 (sum 3) was refused.
  assert.deepEqual(rows[0], { n: 4, s: '12' });
  assert.equal(first.reduce((n, b) => n + b.poison, 0), 1);
  const letters = await t.deadLetters(1);
  assert.equal(letters.length, 1);
  assert.match(letters[0]?.reason ?? '', /^sink: 23514: .*check constraint/);
  assert.deepEqual({ ...letters[0]?.origin }, { topic: t.topics.rollups, partition: 0, offset: '2' });
  const counted = (await metrics.poisonRecords.get()).values.find((v) => v.labels.role === 'sink');
  assert.equal(counted?.value, 1);
  const offsets = await db.pool.query<{ next_offset: string }>('SELECT next_offset::text FROM sink_offsets WHERE consumer_group = $1 AND partition = 0', [groupId]);
  assert.deepEqual(offsets.rows, [{ next_offset: '5' }]);

  // Kafka forgets the group's position (a reset, a lost commit): the offsets in the database
  // say every record was handled, so nothing is stored or dead-lettered again.
  const admin = t.kafka.admin();
  await admin.connect();
  await admin.resetOffsets({ groupId, topic: t.topics.rollups, earliest: true });
  await admin.disconnect();
  const second = await run();
  assert.equal(second.reduce((n, b) => n + b.inserted + b.poison, 0), 0);
  assert.equal(second.reduce((n, b) => n + b.skipped, 0), 5);
  const again = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rollup_parts');
  assert.equal(again.rows[0]?.n, 4);
  assert.equal((await t.deadLetters(1)).length, 1);
});
