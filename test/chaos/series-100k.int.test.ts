// The crash test at scale (issue 11): the aggregate role holds state for 100 000 servers (open
// 5-minute windows and counter baselines of every one) when it and the sink are SIGKILLed —
// after commits covering every server's first sample, with records applied but not committed.
// The restarted role restores that state from the changelog; the stored rollups (merged per
// server × meter × window) must equal the reference model of test/e2e/workload.ts over the same
// input, so nothing is lost or counted twice. Prints the restore time at that scale.
//
// Reading a failure: a row is one server × meter × window, and the message also lists each
// differing server's input records against the offsets the restores resumed at. A restore that
// resumes k records past its checkpoint (the mutation used to check that this test can fail)
// skips k records on each of the 3 partitions. With k = 3, six runs listed 8–15 rows over 8–9
// servers, all of them servers of skipped records, and in five of them (the records dumped) an
// independent model of the input without those 9 records matched the store exactly. The rows
// do not spread beyond those servers; the row count differs from the 9 skipped records because:
// - a server has two meters. The delta loses the skipped reading. The counter usually loses
//   nothing, because the next reading's increase spans the gap (v3 − v1 = (v2 − v1) + (v3 − v2)),
//   but it does when the skipped reading was a baseline or a last reading (the 15-row run: one
//   partition resumed in the last round of samples), or a reset is beside it;
// - a skipped duplicate changes nothing; a skipped first copy also has its later duplicates
//   refused once the crashed process had claimed the id for the skipped offset.
// Every server's samples share one window, closed only by closeWindows, so when windows are
// emitted plays no part here. test/pipeline/aggregation/restore-gap.test.ts checks the same
// isolation when a skipped record carried the partition's newest event time and so moved
// every server's window emission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { workload, expectedRollups, type RefMeter } from '../e2e/workload.js';
import { e2ePipeline, produceSamples, closeWindows, until, untilRollupsMatch, storedRollups } from '../e2e/harness.js';
import { whereRollupsDiffer } from './where-rollups-differ.js';

const SERVERS = 100_000;
const PARTITIONS = 3;
const WINDOW_MS = 5 * 60_000;
const START = Date.parse('2026-11-10T00:00:00Z'); // a window start: each server's 3 samples share one window
// Two meters keep the comparison small at this scale: a delta summed, and a counter, whose
// baselines are state the restore must bring back exactly.
const CATALOG = `
currency: USD
timezone: UTC
meters:
  requests:  { metric: http_requests, kind: delta, unit: request }
  bandwidth: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
plans:
  p: { base_fee: { amount: "1.00", per: month } }
customers: {}
subscriptions: []
`;
const METERS: RefMeter[] = [
  { name: 'requests', metric: 'http_requests', agg: 'sum', factor: '1' },
  { name: 'bandwidth', metric: 'net_tx_bytes', agg: 'counter', factor: '1e-9' },
];
const ROLE_ARGS = ['--session-timeout', '6s', '--commit-interval', '1s'];
const p = e2ePipeline('s100k', CATALOG, {
  KAFKA_PARTITIONS: String(PARTITIONS),
  METERLINE_WINDOW: '5m',
  METERLINE_ALLOWED_LATENESS: '2m',
});

/** Per partition: the aggregate group's committed offset and the partition's end. */
async function progress(kafka: Kafka, groupId: string, topic: string): Promise<{ partition: number; committed: bigint; end: bigint }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [mine] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.map((e) => {
      const c = mine?.partitions.find((x) => x.partition === e.partition)?.offset ?? '-1';
      return { partition: e.partition, committed: BigInt(c), end: BigInt(e.high) };
    });
  } finally {
    await admin.disconnect();
  }
}

test('SIGKILL of an aggregate role holding 100 000 servers: the restore loses and doubles nothing', { timeout: 300_000 }, async (t) => {
  const samples = workload({ servers: SERVERS, samplesPerServer: 3, stepMs: 60_000, startMs: START, lateByMs: 5 * 60_000, seed: 100 });
  assert.ok(samples.length >= 3 * SERVERS, `${samples.length} samples`);
  const expected = expectedRollups(samples, WINDOW_MS, METERS);
  assert.equal(new Set([...expected.keys()].map((k) => k.split('|')[0])).size, SERVERS, 'every server has expected rollups');
  await produceSamples(p.kafka, p.topics.raw, samples, 10_000);

  let aggregate = p.start('aggregate', ROLE_ARGS);
  const sink = p.start('sink');
  // The input is sent round by round (every server's first sample, then the second, …), so a
  // committed offset past a third of each partition means every server's state was committed.
  const group = `${p.prefix}meterline-aggregate`;
  await until(
    'commits covering every server',
    async () => (await progress(p.kafka, group, p.topics.raw)).every((x) => x.committed * 3n > x.end + 3n),
    180_000,
    async () => aggregate.tail(),
  );
  await aggregate.kill('SIGKILL');
  await sink.kill('SIGKILL');
  const atKill = await progress(p.kafka, group, p.topics.raw);
  // The premise, checked after the fact: the role died with records still to commit.
  assert.ok(atKill.some((x) => x.committed < x.end), `records left uncommitted at the kill: ${JSON.stringify(atKill.map((x) => [x.partition, String(x.committed), String(x.end)]))}`);

  aggregate = p.start('aggregate', ROLE_ARGS);
  p.start('sink'); // killed by the file's after hook
  const restored: { partition: number; nextOffset: string; servers: number; ms: number }[] = [];
  for (let i = 0; i < PARTITIONS; i++) {
    const line = await aggregate.waitFor(new RegExp(`"partition":${i},[^\\n]*partition restored`), { timeoutMs: 120_000 });
    restored.push(JSON.parse(line) as { partition: number; nextOffset: string; servers: number; ms: number });
  }
  // Every server's state came back from the changelog (none is in the input only past the kill).
  assert.ok(restored.reduce((n, r) => n + r.servers, 0) >= SERVERS, `servers restored: ${JSON.stringify(restored)}`);
  t.diagnostic(`restore of ${SERVERS} servers over ${PARTITIONS} partitions: ${restored.map((r) => `p${r.partition} ${r.servers} servers ${r.ms} ms`).join(', ')}`);

  await closeWindows(p.kafka, p.topics.raw, PARTITIONS, START + 86_400_000);
  try {
    await untilRollupsMatch(p, aggregate, expected, { windowMs: WINDOW_MS, groupTimeoutMs: 180_000, storedTimeoutMs: 120_000, meters: METERS });
  } catch (err) {
    // Which servers differ and where their records lie relative to the resume points: records
    // just before a resume point mean the restore skipped them, see the note at the top.
    const where = await whereRollupsDiffer({
      kafka: p.kafka,
      topic: p.topics.raw,
      expected,
      stored: await storedRollups(p.db.pool, WINDOW_MS),
      meters: METERS,
      resumedAt: new Map(restored.map((r) => [r.partition, BigInt(r.nextOffset)])),
    }).catch((e: unknown) => `(could not list the differing servers: ${String(e)})`);
    throw new Error(`${(err as Error).message}\n${where}`, { cause: err });
  }
});
