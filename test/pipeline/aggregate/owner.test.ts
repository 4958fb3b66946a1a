// One partition's commit (pipeline/aggregate/owner.ts) against a recording fake producer: the
// parts, dead letters, the state checkpoint and the input offset go into ONE transaction; a
// large commit is split into produce calls under the broker's batch limit; a failure aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { plainSerde } from '../../../avro/serde.js';
import type { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { PartitionOwner } from '../../../pipeline/aggregate/owner.js';
import { kafkajsTransactions, type Transactions } from '../../../pipeline/aggregate/transaction.js';
import { decodeMeta } from '../../../pipeline/aggregate/changelog.js';
import { rollupToRecord } from '../../../avro/records.js';

interface Call {
  op: string;
  topic?: string;
  count?: number;
  bytes?: number;
  partition?: number;
  offset?: string;
}

function fakeKafka(failOn?: string): { kafka: Kafka; calls: Call[]; states: Buffer[]; rollups: Buffer[] } {
  const calls: Call[] = [];
  const states: Buffer[] = [];
  const rollups: Buffer[] = [];
  const txn = {
    async send({ topic, messages }: { topic: string; messages: { value: Buffer; partition?: number }[] }) {
      if (failOn === 'send') throw new Error('broker says no');
      calls.push({
        op: 'send',
        topic,
        count: messages.length,
        bytes: messages.reduce((n, m) => n + m.value.length, 0),
      });
      if (topic === 'state') states.push(...messages.map((m) => m.value));
      if (topic === 'rollups') rollups.push(...messages.map((m) => m.value));
    },
    async sendOffsets({
      topics,
    }: {
      topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
    }) {
      const t = topics[0];
      calls.push({
        op: 'sendOffsets',
        topic: t?.topic,
        partition: t?.partitions[0]?.partition,
        offset: t?.partitions[0]?.offset,
      });
    },
    async commit() {
      calls.push({ op: 'commit' });
    },
    async abort() {
      calls.push({ op: 'abort' });
    },
  };
  const producer = {
    async connect() {
      calls.push({ op: 'connect' });
    },
    async disconnect() {},
    async transaction() {
      calls.push({ op: 'begin' });
      return txn;
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, calls, states, rollups };
}

const TOPICS = { raw: 'raw', rollups: 'rollups', dlq: 'dlq', state: 'state' };
/** An aggregator that never saw a record: no changes, a meta record with an empty clock. */
const agg = {
  drainChanges: () => undefined,
  metaOf: (partition: number) => ({ version: 2, windowMs: 60_000, meters: {}, partition, maxEventTsMs: null, lastActivityMs: null, closedUpToMs: null, correctionsSinceMs: null, correctionsEpoch: 0 }),
} as unknown as Aggregator;
const part = (i: number): RollupPart => ({
  partId: `raw:2:${i}:m:0`,
  serverId: `srv-${i % 7}`,
  meter: 'm',
  windowStartMs: 0,
  windowEndMs: 60_000,
  correction: i % 10 === 0,
  state: { count: 1, sum: '1.5' },
  source: { topic: 'raw', partition: 2, firstOffset: String(i), lastOffset: String(i) },
});

test('one commit = one transaction: parts, dead letters, checkpoint, offsets, then commit', async () => {
  const { kafka, calls, states } = fakeKafka();
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  await o.fence();
  o.status = 'ready';
  o.emitted([part(1), part(2)], 1000);
  o.deadLetter(
    {
      key: null,
      letter: { original: Buffer.from('x'), reason: 'aggregate: bad', source: 'kafka', receivedAtMs: 1 },
    },
    1000,
  );
  o.consumed(3, '43', 1000);
  const info = await o.commit(agg, plainSerde(), TOPICS, 'g');
  assert.deepEqual(
    calls.map((c) => [c.op, c.topic ?? '', c.count ?? c.offset ?? '']),
    [
      ['connect', '', ''],
      ['begin', '', ''],
      ['send', 'rollups', 2],
      ['send', 'dlq', 1],
      ['send', 'state', 1],
      ['sendOffsets', 'raw', '43'],
      ['commit', '', ''],
    ],
  );
  const meta = decodeMeta(states[0] as Buffer);
  assert.deepEqual([meta.version, meta.partition, meta.nextOffset], [2, 2, '43']);
  assert.equal(info?.parts, 2);
  assert.equal(o.dirty, false);
  // Nothing new: no empty transaction.
  assert.equal(await o.commit(agg, plainSerde(), TOPICS, 'g'), undefined);
});

test('a large commit is split into produce calls of at most 2000 records and 700 KB', async () => {
  const { kafka, calls } = fakeKafka();
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  await o.fence();
  o.status = 'ready';
  o.emitted(
    Array.from({ length: 4321 }, (_, i) => part(i)),
    1,
  );
  o.consumed(4321, '4321', 1);
  await o.commit(agg, plainSerde(), TOPICS, 'g');
  const sends = calls.filter((c) => c.op === 'send' && c.topic === 'rollups');
  assert.deepEqual(
    sends.map((c) => c.count),
    [2000, 2000, 321],
  );
  assert.ok(sends.every((c) => (c.bytes ?? 0) < 700_000));
});

test('a failed transaction is aborted and reported; its content is not kept for the next', async () => {
  const { kafka, calls } = fakeKafka('send');
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  await o.fence();
  o.status = 'ready';
  o.emitted([part(1)], 1);
  o.consumed(1, '2', 1);
  await assert.rejects(o.commit(agg, plainSerde(), TOPICS, 'g'), /broker says no/);
  assert.deepEqual(
    calls.map((c) => c.op),
    ['connect', 'begin', 'abort'],
  );
  assert.equal(o.dirty, false); // the role drops and restores the partition's state from its checkpoint
});

test('a commit queued behind one that fails does not commit: its state already counts the failed parts', async () => {
  // Commit 1 (parts P1, offset 2) is in flight; records go on; commit 2 (parts P2, state that
  // includes the records behind P1, offset 4) is queued behind it. Commit 1 fails. If commit 2
  // then committed, the checkpoint would say offsets < 4 are done while P1 was never
  // published: P1's usage lost for good. So commit 2 must fail too (the role restores).
  const { kafka, calls } = fakeKafka();
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  await o.fence();
  o.status = 'ready';
  let lookups = 0;
  const serde = plainSerde();
  const flaky = {
    ...serde,
    head: async (...args: Parameters<NonNullable<typeof serde.head>>) => {
      // The Schema Registry is briefly unreachable for the first commit's lookup only.
      if (lookups++ === 0) throw new Error('registry unreachable');
      return (serde.head as NonNullable<typeof serde.head>)(...args);
    },
  } as typeof serde;
  o.emitted([part(1)], 1);
  o.consumed(2, '2', 1);
  const first = o.commit(agg, flaky, TOPICS, 'g');
  o.emitted([part(3)], 2);
  o.consumed(2, '4', 2);
  const second = o.commit(agg, flaky, TOPICS, 'g');
  await assert.rejects(first, /registry unreachable/);
  await assert.rejects(second);
  assert.equal(
    calls.filter((c) => c.op === 'commit').length,
    0,
    'nothing may be committed after a lost commit',
  );
});

test('the next input offset never moves backwards (a re-fetched batch below it is not "consumed" again)', async () => {
  // After a rejoin kafkajs fetches from the group's committed offset, older than what this
  // process already applied; the role skips those records, but if the batch ends below the
  // applied point, recording its end as the next offset would make the next batch re-apply
  // records (double counting), and a checkpoint would claim less than the state holds.
  const { kafka } = fakeKafka();
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  o.consumed(10, '200', 1);
  o.consumed(50, '150', 2); // a stale batch 100..149, entirely below 200
  assert.equal(o.nextOffset, '200');
  o.consumed(10, '1000', 3);
  assert.equal(o.nextOffset, '1000'); // offsets compare as numbers, not strings ('1000' < '200')
});

test('a partition revoked while its producer initialises: the producer is closed once the init ends, never kept', async () => {
  let finishInit: () => void = () => undefined;
  const events: string[] = [];
  const transactions: Transactions = {
    client: 'kafkajs',
    open: () => ({
      init: () => new Promise<void>((r) => (finishInit = r)),
      transact: () => Promise.reject(new Error('no transaction expected')),
      close: async () => {
        events.push('closed');
      },
    }),
    close: () => Promise.resolve(),
  };
  const o = new PartitionOwner(2, transactions, 'g-2');
  const fencing = o.fence();
  await o.close('revoked'); // a rebalance took the partition away mid-init
  assert.deepEqual(events, [], 'nothing to close yet: the init is still running');
  finishInit();
  await fencing;
  assert.deepEqual(events, ['closed'], 'the late producer is closed, not left connected');
});

test('commits in flight are counted from taking to settling, failed ones too (the role lets one run while it applies more)', async () => {
  const { kafka } = fakeKafka();
  const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
  await o.fence();
  o.status = 'ready';
  assert.equal(o.commitsInFlight(), 0);
  o.emitted([part(1)], 1);
  o.consumed(1, '2', 1);
  const first = o.commit(agg, plainSerde(), TOPICS, 'g');
  assert.equal(o.commitsInFlight(), 1);
  o.emitted([part(2)], 2);
  o.consumed(1, '3', 2);
  const second = o.commit(agg, plainSerde(), TOPICS, 'g');
  // Taken synchronously (its snapshot), queued behind the first: both count.
  assert.equal(o.commitsInFlight(), 2);
  await first;
  await second;
  await o.settled();
  assert.equal(o.commitsInFlight(), 0);

  const failing = fakeKafka('send');
  const f = new PartitionOwner(2, kafkajsTransactions(failing.kafka), 'g-2');
  await f.fence();
  f.status = 'ready';
  f.emitted([part(3)], 1);
  f.consumed(1, '4', 1);
  const failed = f.commit(agg, plainSerde(), TOPICS, 'g');
  assert.equal(f.commitsInFlight(), 1);
  await assert.rejects(failed, /broker says no/);
  await f.settled();
  assert.equal(f.commitsInFlight(), 0);
});

test('parts reach the producer as avsc encodes them, each its own bytes, with or without the hand writer', async () => {
  // The owner writes parts by hand into one reused buffer when the serde gives its frame
  // (avro/rollup-writer.ts); the kafkajs path keeps values, so it must copy each. The
  // expectation is avsc's encoding of each part, through the serde's own encode.
  const serde = plainSerde();
  const parts = Array.from({ length: 50 }, (_, i) => ({ ...part(i), serverId: `srv-${'é'.repeat(i % 3)}${i}` }));
  const expected = await Promise.all(parts.map((p) => serde.encode('rollup', 'rollups', rollupToRecord(p))));
  const withoutHead = { format: serde.format, encode: serde.encode, decode: serde.decode };
  for (const s of [serde, withoutHead]) {
    const { kafka, rollups } = fakeKafka();
    const o = new PartitionOwner(2, kafkajsTransactions(kafka), 'g-2');
    await o.fence();
    o.status = 'ready';
    o.emitted(parts, 1);
    o.consumed(50, '50', 1);
    await o.commit(agg, s, TOPICS, 'g');
    assert.equal(rollups.length, 50);
    rollups.forEach((v, i) => assert.ok(v.equals(expected[i] as Buffer), `part ${i}${s === serde ? '' : ' (serde without head)'}`));
  }
});
