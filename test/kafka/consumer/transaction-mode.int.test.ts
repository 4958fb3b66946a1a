// The shared runner's 'transaction' commit mode (kafka/consumer/handler.ts) against a real
// broker, one test per hook: partitions gained and lost at group joins, each batch waiting for
// its partition's restore, a seek during that restore dropping the batch in hand as stale, slices
// resolved one by one (a slice left unapplied comes again), the runner committing nothing, the
// timer, and `stopped` running once consuming stopped, before stop() returns.
// Topics are written by a plain producer, so offsets are consecutive (no transaction markers).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { createLogger } from '../../../observability/log.js';
import { roleHealth } from '../../../roles/health.js';
import { runConsumer, type FetchedBatch, type PartitionHooks, type Position, type RunningConsumer } from '../../../kafka/consumer/runner.js';
import { createFreshTopics } from '../fresh-topics.js';

const kafka = createKafka(loadConfig().kafka, { role: 'test', level: 'nothing' });
const admin = kafka.admin();
const topics: string[] = [];
const running: RunningConsumer[] = [];

// Each step bounded: a clean-up that hangs must fail the file, not hold the suite. Consumers
// leave before their topics are deleted.
after(async () => {
  const bounded = (what: string, p: Promise<unknown>) =>
    Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`clean-up: ${what} took over 15 s`)), 15_000).unref())]);
  for (const r of running.reverse()) await bounded('stop', r.stop());
  await bounded('deleteTopics', admin.deleteTopics({ topics }).catch(() => undefined));
  await bounded('admin.disconnect', admin.disconnect());
});

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A fresh topic with `values[p]` written to partition p, in one send per partition. */
async function topicWith(label: string, values: string[][]): Promise<string> {
  const topic = `t${randomBytes(4).toString('hex')}.${label}`;
  topics.push(topic);
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: values.length }]);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (const [partition, vs] of values.entries()) await producer.send({ topic, acks: -1, messages: vs.map((value) => ({ partition, value })) });
  await producer.disconnect();
  return topic;
}

/** `offset:value` of each record of a slice. */
const show = (s: FetchedBatch): string[] => s.messages.map((m) => `${m.offset}:${m.value?.toString() ?? ''}`);

async function start(topic: string, groupId: string, partitions: PartitionHooks, extra: { sliceRecords?: number; timer?: { everyMs: number; tick(): void } } = {}) {
  const r = await runConsumer({
    commit: 'transaction',
    role: 'test',
    kafka,
    groupId,
    topic,
    log: createLogger('silent'),
    health: roleHealth('test'),
    partitions,
    sliceRecords: extra.sliceRecords ?? 1,
    ...(extra.timer ? { timer: extra.timer } : {}),
    sessionTimeoutMs: 10_000,
  });
  running.push(r);
  return r;
}

async function committedOffsets(groupId: string, topic: string): Promise<string[]> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
}

test('transaction mode: partitions gained and lost, batches wait for the restore, a seek drops the stale batch, nothing committed', { timeout: 120_000 }, async () => {
  const topic = await topicWith('owned', [['a', 'b', 'c', 'd', 'e'], ['x', 'y']]);
  const groupId = `${topic}.group`;
  // Member 1: a "restore" per partition that the test finishes by hand.
  const restores = new Map([0, 1].map((p) => [p, deferred()]));
  const gained = deferred<readonly number[]>();
  const lost = deferred<readonly number[]>();
  const waiting = new Map([0, 1].map((p) => [p, deferred()]));
  const applied = new Map<number, string[]>([[0, []], [1, []]]);
  const appliedAll = deferred();
  let position: Position | undefined;
  await start(topic, groupId, {
    assigned(ps, pos) {
      position = pos;
      gained.resolve([...ps].sort());
    },
    revoked: (ps) => lost.resolve(ps),
    async batch(p) {
      waiting.get(p)?.resolve();
      await restores.get(p)?.promise;
      return async (slice) => {
        applied.get(p)?.push(...show(slice));
        // Partition 0 from offset 3 (the seek below): d, e; partition 1 whole: x, y.
        if (applied.get(0)?.length === 2 && applied.get(1)?.length === 2) appliedAll.resolve();
        return true;
      };
    },
  });
  assert.deepEqual(await gained.promise, [0, 1], 'the only member gains both partitions');
  await waiting.get(0)?.promise;
  assert.deepEqual(applied.get(0), [], 'nothing applied while the restore runs');
  // The restore resumes partition 0 at offset 3, as a checkpoint would: the batch in hand,
  // fetched from 0, is stale and must be dropped, then fetched again from 3.
  position?.seek(0, '3');
  restores.get(0)?.resolve();
  restores.get(1)?.resolve();
  await appliedAll.promise;
  assert.deepEqual(applied.get(0), ['3:d', '4:e']);
  assert.deepEqual(applied.get(1), ['0:x', '1:y']);

  // Member 2 joins: each member ends with one partition. The runner committed nothing for
  // member 1, so member 2 reads its partition from the start: all five or both records.
  const gained2 = deferred<readonly number[]>();
  const seen2: string[] = [];
  const seenAll2 = deferred();
  await start(topic, groupId, {
    assigned: (ps) => gained2.resolve(ps),
    revoked: () => undefined,
    batch: async (p) => async (slice) => {
      seen2.push(...show(slice));
      if (seen2.length === (p === 0 ? 5 : 2)) seenAll2.resolve();
      return true;
    },
  });
  const [mine, theirs] = [await lost.promise, await gained2.promise];
  assert.equal(mine.length, 1, 'member 1 loses one partition');
  assert.deepEqual(theirs, mine, 'the one member 2 gains');
  await seenAll2.promise;
  assert.deepEqual(seen2, mine[0] === 0 ? ['0:a', '1:b', '2:c', '3:d', '4:e'] : ['0:x', '1:y']);
  for (const r of running.splice(0).reverse()) await r.stop();
  assert.deepEqual(await committedOffsets(groupId, topic), ['-1', '-1'], 'the runner commits nothing in transaction mode');
});

test('transaction mode: slices resolved one by one, a slice left unapplied comes again; the timer ticks until stop; stopped() runs once consuming stopped', { timeout: 120_000 }, async () => {
  const topic = await topicWith('slices', [['a', 'b', 'c', 'd', 'e']]);
  const groupId = `${topic}.group`;
  const slicesSeen: string[][] = [];
  let refused = false;
  const done = deferred();
  let ticks = 0;
  const ticked = deferred();
  let atStopped: { ticks: number; slices: number; members: number } | undefined;
  const r = await start(
    topic,
    groupId,
    {
      assigned: () => undefined,
      revoked: () => undefined,
      batch: async () => async (slice) => {
        slicesSeen.push(show(slice));
        // The first time the slice from offset 2 comes, it is left: it and the rest of the
        // fetch stay unresolved, so the next fetch starts at 2 again.
        if (slice.messages[0]?.offset === '2' && !refused) return (refused = true), false;
        if (slice.lastOffset === '4') done.resolve();
        return true;
      },
      async stopped() {
        const { groups } = await admin.describeGroups([groupId]);
        atStopped = { ticks, slices: slicesSeen.length, members: groups[0]?.members.length ?? 0 };
      },
    },
    { sliceRecords: 2, timer: { everyMs: 20, tick: () => ++ticks === 3 && ticked.resolve() } },
  );
  await done.promise;
  // Five records in slices of two: 0-1, 2-3 (left), then from 2 again: 2-3, 4.
  assert.deepEqual(slicesSeen, [['0:a', '1:b'], ['2:c', '3:d'], ['2:c', '3:d'], ['4:e']]);
  await ticked.promise;
  await r.stop();
  running.splice(running.indexOf(r), 1);
  assert.ok(atStopped !== undefined, 'stop() returns after stopped() ran');
  // kafkajs' consumer.stop() leaves the group (its runner.stop): the member is gone by then.
  assert.equal(atStopped.members, 0, 'consuming stopped and the group left before stopped()');
  assert.ok(atStopped.ticks >= 3);
  // No event marks a timer that never fires again, nor a slice that never comes: give a stray
  // one ten timer periods.
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(ticks, atStopped.ticks, 'the timer stopped before stopped() ran');
  assert.equal(slicesSeen.length, atStopped.slices, 'no slice after stopped()');
  assert.deepEqual(await committedOffsets(groupId, topic), ['-1']);
});
