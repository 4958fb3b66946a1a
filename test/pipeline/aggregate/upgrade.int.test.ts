// An upgrade in place (changelog format 4, per-window records): a partition whose changelog a
// version before it wrote (one record per server, keys "<p>/<server id>", meta version 2) is
// restored by the role, continues exactly, and its next commit replaces those records: the
// changelog ends with no "<p>/…" key, only the open windows and counter baselines of format 4.
// Worked by hand: delta meter `req` and counter meter `bw`; at minute i each of two servers
// sends r = i + 1 and a cumulative net = 1000 × (i + 1), so bw counts 0 at minute 0 (the
// baseline) and 1000 at every later minute — also at minute 5, the first after the upgrade,
// which only the restored baseline (5000) gives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { rollupTopics } from '../../sinks/rollup-topics.js';
import { plainSerde } from '../../../avro/serde.js';
import { sampleToRecord } from '../../../avro/records.js';
import { createLogger } from '../../../observability/log.js';
import { startAggregate, type AggregateOptions } from '../../../pipeline/aggregate/role.js';
import { checkpointKey, encodeMeta, readChangelog, type MetaCheckpoint } from '../../../pipeline/aggregate/changelog.js';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import { committedParts } from './committed-parts.js';
import { commitWaiter } from './commit-waiter.js';
import { meter, T0, MIN } from '../aggregation/helpers.js';
import { legacyState } from '../aggregation/changelog-model.js';
import { countAll } from './fake-dedup.js';

const SERVERS = ['srv-1', 'srv/2#o5'];

test('a changelog written per server (format 3 and 2) is restored, continued exactly, and replaced by format 4', async () => {
  const { prefix, kafka, topics } = await rollupTopics('upgrade');
  const serde = plainSerde();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  after(() => producer.disconnect());
  const produce = async (minutes: number[]) => {
    const messages = [];
    for (const minute of minutes) {
      for (const srv of SERVERS) {
        const net = String(1000 * (Math.min(minute, 5) + 1));
        const s = { id: `${srv}-${minute}`, serverId: srv, tsMs: T0 + minute * MIN, metrics: { r: String(minute === 100 ? 0 : minute + 1), net }, labels: {} };
        messages.push({ key: srv, partition: 0, value: await serde.encode('sample', topics.raw, sampleToRecord(s)) });
      }
    }
    await producer.send({ topic: topics.raw, acks: -1, messages });
  };
  const commits = commitWaiter();
  const { onCommit, committed } = commits;
  const config: AggregateOptions['aggregator'] = {
    meters: [meter('req', 'r', 'delta', 'sum'), meter('bw', 'net', 'counter', 'sum')],
    windowMs: MIN,
    allowedLatenessMs: 0,
    idleTimeoutMs: Infinity,
  };
  const role = () =>
    startAggregate({
      kafka,
      serde,
      dedup: countAll(),
      topics: { raw: topics.raw, rollups: topics.rollups, dlq: topics.dlq, state: topics.aggregateState },
      aggregator: config,
      log: createLogger('silent'),
      groupId: `${prefix}meterline-aggregate`,
      commitEveryMs: 100,
      onCommit,
    });

  // Run 1 (this version): minutes 0..4; minute 4 closes 0..3, minute 4 stays open.
  const first = await role();
  await produce([0, 1, 2, 3, 4]);
  await committed(10);
  await first.stop();

  // Rewrite the changelog as the previous version held that state: delete every format-4 key,
  // write one record per server (one JSON, one binary) and a version-2 meta.
  const stored = (await readChangelog(kafka, topics.aggregateState, [0])).get(0);
  assert.ok(stored !== undefined && stored.meta.version === 3, 'run 1 wrote a format-4 changelog');
  const agg = new Aggregator(config);
  agg.restoreFromRecords(stored.meta, stored.records, 0);
  const legacy = legacyState(agg, 0, 'mixed');
  assert.equal(legacy.records.size, SERVERS.length);
  const meta: MetaCheckpoint = { ...legacy.meta, nextOffset: stored.meta.nextOffset };
  await producer.send({
    topic: topics.aggregateState,
    acks: -1,
    messages: [
      ...[...stored.records.keys()].map((key) => ({ key, value: null, partition: 0 })),
      ...[...legacy.records].map(([key, value]) => ({ key, value, partition: 0 })),
      { key: checkpointKey(0), value: encodeMeta(meta), partition: 0 },
    ],
  });

  // Run 2: restores the per-server records; minute 5 closes minute 4, minute 100 closes 5.
  const second = await role();
  await produce([5, 100]);
  await committed(14);
  await second.stop();
  assert.deepEqual(second.problems(), {});

  const got = (await committedParts(kafka, topics.rollups, commits.parts))
    .map((p) => [p.serverId, p.meter, (p.windowStartMs - T0) / MIN, p.state.sum, p.correction])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])) || (a[2] as number) - (b[2] as number));
  const expected = [];
  for (const srv of [...SERVERS].sort((a, b) => a.localeCompare(b))) {
    for (let m = 0; m <= 5; m++) expected.push([srv, 'bw', m, m === 0 ? '0' : '1000', false]);
    for (let m = 0; m <= 5; m++) expected.push([srv, 'req', m, String(m + 1), false]);
  }
  assert.deepEqual(got, expected);

  // The per-server records are gone; what is left is format 4: minute 100's windows, baselines.
  const end = (await readChangelog(kafka, topics.aggregateState, [0])).get(0);
  assert.equal(end?.meta.version, 3);
  const open = T0 + 100 * MIN;
  assert.deepEqual([...(end?.records.keys() ?? [])].sort(), SERVERS.flatMap((s) => [`0#k/${s}`, `0#o${open}/${s}`]).sort());
});
