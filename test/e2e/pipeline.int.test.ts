// End to end: samples (with duplicates, out-of-order, late-past-lateness samples and counter
// resets) → Kafka metrics.raw → `meterline aggregate` → usage.rollups → `meterline sink` →
// TimescaleDB. The stored rollups must equal the reference model's (workload.ts) for every
// aggregation kind; a record that is not a sample lands in metrics.dlq with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { createSerde } from '../../avro/registry.js';
import { loadConfig } from '../../config/env.js';
import { recordToDeadLetter } from '../../avro/records.js';
import { CATALOG_YAML, workload, expectedRollups } from './workload.js';
import { collect } from '../kafka/read-topic.js';
import { e2ePipeline, produceSamples, closeWindows, until, groupAtEnd, untilRollupsMatch } from './harness.js';

const WINDOW_MS = 60_000;
const START = Date.parse('2026-10-01T00:00:00Z') - 20 * 60_000; // crosses a month boundary
const p = e2ePipeline('e2e', CATALOG_YAML, {
  KAFKA_PARTITIONS: '3',
  METERLINE_WINDOW: '1m',
  METERLINE_ALLOWED_LATENESS: '2m',
  METERLINE_IDLE_TIMEOUT: '2s',
});

test(
  'rollups in TimescaleDB equal the reference model for every aggregation kind',
  { timeout: 180_000 },
  async () => {
    const samples = workload({
      servers: 12,
      samplesPerServer: 300,
      stepMs: 10_000,
      startMs: START,
      lateByMs: 5 * 60_000,
      seed: 7,
    });
    const expected = expectedRollups(samples, WINDOW_MS);
    // The input really has what the test claims (checked on the input, independently of the pipeline).
    const ids = samples.map((s) => s.id);
    assert.ok(new Set(ids).size < ids.length, 'has duplicates');
    assert.ok(
      samples.some(
        (s, i) =>
          i > 0 && samples.slice(0, i).some((x) => x.serverId === s.serverId && x.tsMs > s.tsMs + 2 * 60_000),
      ),
      'has samples later than the lateness',
    );

    await produceSamples(p.kafka, p.topics.raw, samples);
    // A record that is not a sample: must reach the DLQ, not vanish.
    const producer = p.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: p.topics.raw,
      messages: [{ key: 'srv-0000', value: Buffer.from('{"not":"avro"}') }],
    });
    // Nor is a foreign record on usage.rollups dropped by the sink.
    await producer.send({
      topic: p.topics.rollups,
      messages: [{ key: 'srv-0000', value: Buffer.from('not a rollup') }],
    });
    await producer.disconnect();
    await closeWindows(p.kafka, p.topics.raw, 3, START + 86_400_000);

    const aggregate = p.start('aggregate', ['--commit-interval', '500ms']);
    const sink = p.start('sink');
    await untilRollupsMatch(p, aggregate, expected, { windowMs: WINDOW_MS, groupTimeoutMs: 90_000, storedTimeoutMs: 60_000 });

    // The sink's offsets reach the very end of usage.rollups, past the trailing commit markers.
    await until(
      'the sink group to commit to the end of usage.rollups',
      () => groupAtEnd(p.kafka, `${p.prefix}meterline-sink`, p.topics.rollups),
      30_000,
    );

    const { rows } = await p.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM rollup_parts WHERE correction',
    );
    assert.ok(Number(rows[0]?.n) > 0, 'late samples were stored as correction parts');

    // The DLQ record carries the original bytes and a reason.
    const serde = await createSerde(loadConfig(p.env)); // the roles' serde (a Schema Registry when the stack has one)
    // Read with the tests' collector: a consumer kafkajs restarts after a retriable crash (a
    // coordinator still loading) re-delivers from its last commit, so letters count once per offset.
    const dlq = await collect(p.kafka, [p.topics.dlq]);
    const unique = () => [...new Map(dlq.got.map((c) => [`${c.partition}:${c.message.offset}`, c.message])).values()];
    try {
      await dlq.until(() => unique().length >= 2, 'two dead letters on metrics.dlq', 30_000);
    } finally {
      await dlq.stop();
    }
    const letters: ReturnType<typeof recordToDeadLetter>[] = [];
    for (const m of unique()) letters.push(recordToDeadLetter(await serde.decode('dlq', p.topics.dlq, m.value as Buffer)));
    letters.sort((a, b) => a.reason.localeCompare(b.reason));
    assert.deepEqual(
      letters.map((l) => [l.original.toString(), l.reason.split(':')[0], l.origin?.topic]),
      [
        ['{"not":"avro"}', 'aggregate', p.topics.raw],
        ['not a rollup', 'sink', p.topics.rollups],
      ],
    );

    aggregate.child.kill('SIGTERM');
    sink.child.kill('SIGTERM');
    assert.equal(await aggregate.exited, 0, aggregate.tail());
    assert.equal(await sink.exited, 0, sink.tail());
  },
);
