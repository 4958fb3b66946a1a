// The shared consumer runner against a real broker: a role's handler sees each partition's
// records in order, a batch whose handler fails is handled again (never committed past), and
// the group's committed offset ends at the partition's end — past the commit marker a
// transactional producer leaves, and past an aborted transaction no handler ever sees; a
// dependency away inside a batch shows on readiness, and stop() ends that wait uncommitted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { createLogger } from '../../../observability/log.js';
import { roleHealth } from '../../../roles/health.js';
import { runConsumer, type FetchedBatch } from '../../../kafka/consumer/runner.js';
import { createFreshTopics } from '../fresh-topics.js';

const config = loadConfig();
const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' });
const topic = `t${randomBytes(4).toString('hex')}.runner`;
const groupId = `${topic}.group`;
const waitTopic = `${topic}-wait`;
const admin = kafka.admin();
const cleanups: (() => Promise<unknown>)[] = [];

// Each step bounded: a clean-up that hangs must fail the file, not hold the suite. The consumer
// leaves before its topic is deleted (it would keep asking for the topic's metadata).
after(async () => {
  const bounded = (what: string, p: Promise<unknown>) =>
    Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`clean-up: ${what} took over 15 s`)), 15_000).unref())]);
  for (const c of cleanups.reverse()) await bounded('stop', c());
  await bounded('deleteTopics', admin.deleteTopics({ topics: [topic, waitTopic] }).catch(() => undefined));
  await bounded('admin.disconnect', admin.disconnect());
});

/** The group's committed offset of partition 0 once it equals `want` (polled: Kafka has no event for it). */
async function committedReaches(want: string, timeoutMs = 30_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let got: string | undefined;
  while (Date.now() < deadline) {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    got = t?.partitions.find((p) => p.partition === 0)?.offset;
    if (got === want) return got;
    await new Promise((r) => setTimeout(r, 250));
  }
  return got;
}

test('runner: records in order, a failed batch handled again, committed to the end past commit markers and an aborted transaction', { timeout: 120_000 }, async () => {
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 1 }]);
  // One transaction of three records: offsets 0, 1, 2 and its commit marker at 3, so the
  // partition ends at 4 — the offset a consumer that read everything must commit.
  const producer = kafka.producer({ transactionalId: `${topic}.tx`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const tx = await producer.transaction();
  await tx.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ partition: 0, value })) });
  await tx.commit();
  await producer.disconnect();

  const seen: string[] = [];
  const reports: { nextOffset: string; result: number }[] = [];
  let calls = 0;
  let allCommitted: () => void = () => undefined;
  const committedAll = new Promise<void>((r) => (allCommitted = r));
  const running = await runConsumer({
    role: 'test',
    kafka,
    groupId,
    topic,
    log: createLogger('silent'),
    health: roleHealth('test'),
    handler: {
      async handleBatch(batch: FetchedBatch) {
        calls++;
        // The first try fails: nothing may be committed, and the same records must come again.
        if (calls === 1) throw new Error('a failing first try');
        seen.push(...batch.messages.map((m) => `${m.offset}:${m.value?.toString() ?? ''}`));
        return batch.messages.length;
      },
      committed(_batch, nextOffset, result) {
        reports.push({ nextOffset, result });
        if (seen.length >= 3) allCommitted();
      },
    },
  });
  cleanups.push(() => running.stop());
  await committedAll;
  assert.ok(calls >= 2, 'the failed batch was handed over again');
  assert.deepEqual(seen, ['0:a', '1:b', '2:c'], 'every record once, in order, after the failed try');
  assert.equal(reports.reduce((n, r) => n + r.result, 0), 3, 'committed() gets what handleBatch returned');
  // The last data record is offset 2: a batch's next offset is 3, or 4 when the fetch reached
  // the marker; either way the group ends at 4 (a marker-only fetch is committed past too).
  assert.ok(['3', '4'].includes(reports.at(-1)?.nextOffset ?? ''), `next offset ${reports.at(-1)?.nextOffset}`);
  assert.equal(await committedReaches('4'), '4');

  // An aborted transaction (offsets 4, 5, abort marker 6): a read_committed fetch of it holds no
  // record, so no handler runs — yet the group must move to 7, or it would show a lag forever.
  const aborting = kafka.producer({ transactionalId: `${topic}.tx`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await aborting.connect();
  const gone = await aborting.transaction();
  await gone.send({ topic, messages: ['x', 'y'].map((value) => ({ partition: 0, value })) });
  await gone.abort();
  await aborting.disconnect();
  assert.equal(await committedReaches('7'), '7');
  assert.deepEqual(seen, ['0:a', '1:b', '2:c'], 'aborted records never reach the handler');
});

test('runner: a dependency away inside a batch shows on readiness; stop ends the wait and commits nothing', { timeout: 120_000 }, async () => {
  await admin.connect();
  await createFreshTopics(admin, [{ topic: waitTopic, numPartitions: 1 }]);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: waitTopic, messages: [{ partition: 0, value: 'one' }] });
  await producer.disconnect();

  const health = roleHealth('test');
  let attempts = 0;
  let waiting: (problems: Record<string, string>) => void = () => undefined;
  const secondTry = new Promise<Record<string, string>>((r) => (waiting = r));
  let committedCalls = 0;
  const group = `${waitTopic}.group`;
  const running = await runConsumer({
    role: 'test',
    kafka,
    groupId: group,
    topic: waitTopic,
    log: createLogger('silent'),
    health,
    handler: {
      handleBatch: (_batch, tools) =>
        tools.waitOut('test: storing', 'store', async () => {
          attempts++;
          // What /readyz would say on the second try: the condition set by the first failure.
          if (attempts === 2) waiting(health.problems());
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); // a database away: transient
        }),
      committed: () => committedCalls++,
    },
  });
  const problems = await secondTry;
  assert.match(problems.store ?? '', /test: storing: connect ECONNREFUSED/);
  const t0 = Date.now();
  await running.stop();
  assert.ok(Date.now() - t0 < 15_000, `stop took ${Date.now() - t0} ms while a batch waited`);
  assert.equal(committedCalls, 0);
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [waitTopic] });
  assert.equal(t?.partitions.find((p) => p.partition === 0)?.offset, '-1', 'nothing committed for the batch that never finished');
});
