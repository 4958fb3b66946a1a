// The crash test at scale (issue 11): the aggregate role holds state for 100 000 servers (open
// 5-minute windows and counter baselines of every one) when it and the sink are SIGKILLed —
// after commits covering every server's first sample, with records applied but not committed.
// The restarted role restores that state from the changelog; the stored rollups (merged per
// server × meter × window) must equal the reference model of test/e2e/workload.ts over the same
// input, so nothing is lost or counted twice. Prints the restore time at that scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { workload, expectedRollups, type RefMeter } from '../e2e/workload.js';
import { e2ePipeline, produceSamples, closeWindows, until, untilRollupsMatch } from '../e2e/harness.js';

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
async function progress(kafka: Kafka, groupId: string, topic: string): Promise<{ committed: bigint; end: bigint }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [mine] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.map((e) => {
      const c = mine?.partitions.find((x) => x.partition === e.partition)?.offset ?? '-1';
      return { committed: BigInt(c), end: BigInt(e.high) };
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
  assert.ok(atKill.some((x) => x.committed < x.end), `records left uncommitted at the kill: ${JSON.stringify(atKill.map((x) => [String(x.committed), String(x.end)]))}`);

  aggregate = p.start('aggregate', ROLE_ARGS);
  p.start('sink'); // killed by the file's after hook
  const restored: { partition: number; servers: number; ms: number }[] = [];
  for (let i = 0; i < PARTITIONS; i++) {
    const line = await aggregate.waitFor(new RegExp(`"partition":${i},[^\\n]*partition restored`), { timeoutMs: 120_000 });
    restored.push(JSON.parse(line) as { partition: number; servers: number; ms: number });
  }
  // Every server's state came back from the changelog (none is in the input only past the kill).
  assert.ok(restored.reduce((n, r) => n + r.servers, 0) >= SERVERS, `servers restored: ${JSON.stringify(restored)}`);
  t.diagnostic(`restore of ${SERVERS} servers over ${PARTITIONS} partitions: ${restored.map((r) => `p${r.partition} ${r.servers} servers ${r.ms} ms`).join(', ')}`);

  await closeWindows(p.kafka, p.topics.raw, PARTITIONS, START + 86_400_000);
  await untilRollupsMatch(p, aggregate, expected, { windowMs: WINDOW_MS, groupTimeoutMs: 180_000, storedTimeoutMs: 120_000, meters: METERS });
});
