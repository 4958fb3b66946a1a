// Parts encoded as they are emitted (pipeline/aggregate/part-log.ts): once a commit has learnt
// the rollup frame, the owner writes each emitted part straight into its log instead of keeping
// the object. What reaches the producer must not change: each value equals avsc's encoding of
// the part (through the serde's own encode, an independent implementation), keys are the
// server ids, the order is the emission order (also across the switch from objects to the
// log), and a part avsc refuses fails the commit that holds it, with nothing produced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainSerde, type AvroSerde } from '../../../avro/serde.js';
import { rollupToRecord } from '../../../avro/records.js';
import { isKind } from '../../../lib/errors.js';
import type { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { PartitionOwner } from '../../../pipeline/aggregate/owner.js';
import type { Transactions, TxnRecord } from '../../../pipeline/aggregate/transaction.js';

const TOPICS = { raw: 'raw', rollups: 'rollups', dlq: 'dlq', state: 'state' };
const agg = {
  drainChanges: () => undefined,
  metaOf: (partition: number) => ({ version: 2, windowMs: 60_000, meters: {}, partition, maxEventTsMs: null, lastActivityMs: null, closedUpToMs: null, correctionsSinceMs: null, correctionsEpoch: 0 }),
} as unknown as Aggregator;

/** Every transaction's rollup records as the producer saw them (values copied: they are views). */
function recording(): { transactions: Transactions; txns: { key: string; value: Buffer }[][] } {
  const txns: { key: string; value: Buffer }[][] = [];
  const transactions: Transactions = {
    client: 'rdkafka',
    open: () => ({
      init: async () => undefined,
      async transact(records: Iterable<TxnRecord>) {
        const got: { key: string; value: Buffer }[] = [];
        for (const r of records) if (r.topic === 'rollups') got.push({ key: String(r.key), value: Buffer.from(r.value as Buffer) });
        txns.push(got);
      },
      close: async () => undefined,
    }),
    close: async () => undefined,
  };
  return { transactions, txns };
}

/** Part i: servers, meters and offsets vary; every 5th a correction; some non-ASCII ids. */
const part = (i: number): RollupPart => ({
  partId: `raw:2:${i}:m${i % 3}:${60_000 * i}`,
  serverId: i % 4 === 0 ? `srv-é${i % 11}` : `srv-${i % 11}`,
  meter: `m${i % 3}`,
  windowStartMs: 60_000 * i,
  windowEndMs: 60_000 * (i + 1),
  correction: i % 5 === 0,
  state: i % 2 === 0 ? { count: i + 1, sum: `${i}.25` } : { count: 1, sum: '0', latest: `-${i}`, latestTsMs: 60_000 * i + 7 },
  source: { topic: 'raw', partition: 2, firstOffset: String(1000 + i), lastOffset: String(1000 + i + (i % 2)) },
});
const range = (from: number, to: number): RollupPart[] => Array.from({ length: to - from }, (_, k) => part(from + k));

async function expected(serde: AvroSerde, parts: readonly RollupPart[]): Promise<{ key: string; value: Buffer }[]> {
  return Promise.all(parts.map(async (p) => ({ key: p.serverId, value: await serde.encode('rollup', 'rollups', rollupToRecord(p)) })));
}

async function readyOwner(transactions: Transactions): Promise<PartitionOwner> {
  const o = new PartitionOwner(2, transactions, 'g-2');
  await o.fence();
  o.status = 'ready';
  return o;
}

test('parts emitted around and after the first commit reach the producer as avsc encodes them, in emission order', async () => {
  const serde = plainSerde();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  // The frame arrives late for the first commit: parts emitted meanwhile are still objects.
  const slowHead = { ...serde, head: async (kind: 'rollup', topic: string) => (await gate, (serde.head as NonNullable<AvroSerde['head']>)(kind, topic)) } as AvroSerde;
  const { transactions, txns } = recording();
  const o = await readyOwner(transactions);
  o.emitted(range(0, 3), 1);
  o.consumed(3, '3', 1);
  const first = o.commit(agg, slowHead, TOPICS, 'g');
  o.emitted(range(3, 6), 2); // the frame is not known yet
  release();
  const info1 = await first;
  o.emitted(range(6, 2006), 3); // encoded as emitted: 2 000 parts, past the log's first buffer
  o.consumed(2003, '2006', 3);
  const second = o.commit(agg, slowHead, TOPICS, 'g');
  o.emitted(range(2006, 2010), 4); // while the second is in flight: the next commit's
  o.consumed(4, '2010', 4);
  const info2 = await second;
  const info3 = await o.commit(agg, slowHead, TOPICS, 'g');
  o.emitted(range(2010, 2020), 5); // into a recycled log
  o.consumed(10, '2020', 5);
  const info4 = await o.commit(agg, slowHead, TOPICS, 'g');

  assert.deepEqual(txns.map((t) => t.length), [3, 2003, 4, 10]);
  const want = [await expected(serde, range(0, 3)), await expected(serde, range(3, 2006)), await expected(serde, range(2006, 2010)), await expected(serde, range(2010, 2020))];
  txns.forEach((got, t) =>
    got.forEach((r, i) => {
      const w = want[t]?.[i];
      assert.ok(w !== undefined && r.key === w.key && r.value.equals(w.value), `transaction ${t}, record ${i}`);
    }),
  );
  // Corrections are the multiples of 5: 0 in [0, 3); 5, 10, …, 2005 in [3, 2006): 401; none in
  // [2006, 2010); 2010 and 2015 in [2010, 2020).
  assert.deepEqual([info1?.parts, info1?.corrections], [3, 1]);
  assert.deepEqual([info2?.parts, info2?.corrections], [2003, 401]);
  assert.deepEqual([info3?.parts, info3?.corrections], [4, 0]);
  assert.deepEqual([info4?.parts, info4?.corrections], [10, 2]);
});

test('a part avsc refuses fails the commit that holds it, before anything is produced', async () => {
  const serde = plainSerde();
  const { transactions, txns } = recording();
  const o = await readyOwner(transactions);
  o.emitted([part(0)], 1);
  o.consumed(1, '1', 1);
  await o.commit(agg, serde, TOPICS, 'g'); // learns the frame
  const bad = { ...part(1), windowEndMs: 1.5 };
  o.emitted([part(2), bad, part(3)], 2);
  o.consumed(3, '4', 2);
  await assert.rejects(o.commit(agg, serde, TOPICS, 'g'), (e: unknown) => isKind(e, 'validation') && /window_end/.test((e as Error).message));
  assert.equal(txns.length, 1, 'only the first transaction ran');
  // Its state counts the refused part's samples: later commits must not go through either.
  o.emitted([part(4)], 3);
  o.consumed(1, '5', 3);
  await assert.rejects(o.commit(agg, serde, TOPICS, 'g'), /earlier commit failed/);
  assert.equal(txns.length, 1);
});

test('once the frame is known a part is encoded when emitted: the owner keeps no object to commit later', async () => {
  const serde = plainSerde();
  const { transactions, txns } = recording();
  const o = await readyOwner(transactions);
  const before = part(0);
  o.emitted([before], 1);
  o.consumed(1, '1', 1);
  const commit = o.commit(agg, serde, TOPICS, 'g');
  before.state.sum = '99'; // before the first commit learns the frame: kept as the object
  await commit;
  const after = part(1);
  o.emitted([after], 2);
  after.state.sum = '99'; // already encoded
  o.consumed(1, '2', 2);
  await o.commit(agg, serde, TOPICS, 'g');
  const [first, second] = await expected(serde, [{ ...before }, part(1)]);
  assert.ok(txns[0]?.[0]?.value.equals(first?.value as Buffer), 'the first commit wrote the object as it was at the commit');
  assert.ok(txns[1]?.[0]?.value.equals(second?.value as Buffer), 'the second wrote the part as it was emitted');
});
