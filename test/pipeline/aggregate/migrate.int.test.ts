// A catalogue change between two runs of the aggregate role (issue 12 item 5): the second run
// restores state written under other meters and another window. It must neither stall nor mix
// meanings: the open window is emitted under the old definition, later samples count under
// the new one. Worked by hand: delta meter `req`, sample i (offset i) carries i + 1 at minute i.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { rollupTopics } from '../../sinks/rollup-topics.js';
import { plainSerde } from '../../../avro/serde.js';
import { sampleToRecord } from '../../../avro/records.js';
import { createLogger } from '../../../observability/log.js';
import { startAggregate, type AggregateOptions } from '../../../pipeline/aggregate/role.js';
import { committedParts } from './committed-parts.js';
import { commitWaiter } from './commit-waiter.js';
import { meter, T0, MIN } from '../aggregation/helpers.js';
import { countAll } from './fake-dedup.js';

test('meters and window changed between runs: the open window is emitted under the old meaning, no stall', async () => {
  const { prefix, kafka, topics } = await rollupTopics('migrate'); // fresh topics, own prefix
  const serde = plainSerde();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  after(() => producer.disconnect());
  const produce = async (items: Array<[number, string]>) => {
    const messages = [];
    for (const [minute, value] of items) {
      const s = { id: `s${minute}`, serverId: 'srv-1', tsMs: T0 + minute * MIN, metrics: { r: value }, labels: {} };
      messages.push({ key: 'srv-1', partition: 0, value: await serde.encode('sample', topics.raw, sampleToRecord(s)) });
    }
    await producer.send({ topic: topics.raw, acks: -1, messages });
  };
  const commits = commitWaiter();
  const { onCommit, committed } = commits;
  const role = (aggregator: AggregateOptions['aggregator']) =>
    startAggregate({
      kafka,
      serde,
      dedup: countAll(),
      topics: { raw: topics.raw, rollups: topics.rollups, dlq: topics.dlq, state: topics.aggregateState },
      aggregator,
      log: createLogger('silent'),
      groupId: `${prefix}meterline-aggregate`,
      commitEveryMs: 100,
      onCommit,
    });

  // Run 1: 1-minute windows, factor 1. Minutes 0..4 carry 1..5; minute 4 closes minutes 0..3
  // (1 + 2 + 3 + 4 = 10 in four parts), minute 4 (value 5) stays open.
  const first = await role({ meters: [meter('req', 'r', 'delta', 'sum')], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: Infinity });
  await produce([[0, '1'], [1, '2'], [2, '3'], [3, '4'], [4, '5']]);
  await committed(5);
  await first.stop();

  // Run 2: req counts double, 2-minute windows. The restore emits minute 4 under the old
  // meaning (5); minute 5 (value 6) falls in [4 min, 6 min) and counts 12; minute 100 closes it.
  const second = await role({ meters: [meter('req', 'r', 'delta', 'sum', { factor: '2' })], windowMs: 2 * MIN, allowedLatenessMs: 0, idleTimeoutMs: Infinity });
  after(() => second.stop());
  await produce([[5, '6'], [100, '0']]);
  await committed(7);
  assert.deepEqual(second.problems(), {});
  const got = (await committedParts(kafka, topics.rollups, commits.parts))
    .map((p) => [(p.windowStartMs - T0) / MIN, (p.windowEndMs - T0) / MIN, p.state.sum, p.correction])
    .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  assert.deepEqual(got, [
    [0, 1, '1', false],
    [1, 2, '2', false],
    [2, 3, '3', false],
    [3, 4, '4', false],
    [4, 5, '5', false], // emitted early by the migration, under factor 1
    // The migration closed up to minute 5 (the old window's end); [4, 6) ends later: on time.
    [4, 6, '12', false],
  ]);
});
