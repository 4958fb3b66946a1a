// node-rdkafka transactional producers (kafka/rdkafka/transactions.ts) against the stack's
// Kafka, while a kafkajs consumer is a member of the group whose offset they commit (as in the
// aggregate role): a committed transaction's records are visible to read_committed readers —
// keyed ones on the partition Java/kafkajs' murmur2 picks, explicit ones where asked, tombstones
// as null — and the group's offset moves to the committed one; a failed transaction is aborted
// (nothing visible, offset unchanged); a second producer with the same transactional.id fences
// the first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners, type Consumer, type PartitionMetadata } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { rdkafkaTransactions } from '../../../kafka/rdkafka/transactions.js';
import { collect } from '../read-topic.js';
import { createFreshTopics } from '../fresh-topics.js';

const config = loadConfig(process.env);
const id = randomBytes(4).toString('hex');
const input = `t${id}.rdkafka-txn-in`;
const output = `t${id}.rdkafka-txn-out`;
const groupId = `t${id}.rdkafka-txn-group`;
const PARTITIONS = 4;
const kafka = createKafka(config.kafka, { level: 'nothing' });
const admin = kafka.admin();
let member: Consumer;
const logs: string[] = [];
// metadataTopic as the role passes it: the partitioner test below also shows that the topic
// handle the narrowed connect creates keeps murmur2.
const txns = rdkafkaTransactions(config.kafka, { role: 'test', log: (level, msg) => logs.push(`${level} ${msg}`), metadataTopic: output });

before(async () => {
  await admin.connect();
  await createFreshTopics(
    admin,
    [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: config.kafka.replicationFactor })),
  );
  // A kafkajs member of the group, as the aggregate role's consumer is: joined, never committing.
  member = kafka.consumer({ groupId });
  await member.connect();
  await member.subscribe({ topic: input });
  const joined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
  await member.run({ eachMessage: async () => undefined });
  await joined;
});
after(async () => {
  await member.disconnect();
  await txns.close();
  await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
  await admin.disconnect();
});

async function committedNow(partition: number): Promise<string> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [input] });
  return t?.partitions.find((p) => p.partition === partition)?.offset ?? 'none';
}

/**
 * The group's committed offset once it reads `expected` (or the last value read after 15 s).
 * A transaction's offsets become visible to OffsetFetch only once the coordinator has written
 * the commit marker to __consumer_offsets, shortly *after* commitTransaction returns (kafkajs
 * has no require_stable fetch): a single read right after the commit may still see the old
 * offset (seen once in a clean-clone CI run: '3' where the commit had just moved it to '4').
 */
async function committed(partition: number, expected: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = await committedNow(partition);
    if (now === expected || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a committed transaction: its records visible (keyed by murmur2, explicit partition, tombstone) and the group offset moved', async () => {
  const p = txns.open(`t${id}-txn-0`);
  const reader = await collect(kafka, [output]);
  try {
    await p.init();
    const keyed = Array.from({ length: 50 }, (_, i) => ({ topic: output, key: `srv-${i}`, value: Buffer.from(`v${i}`) }));
    await p.transact(
      [
        ...keyed,
        { topic: output, key: 'meta', value: Buffer.from('explicit'), partition: 3 },
        { topic: output, key: 'gone', value: null, partition: 1 },
      ],
      { groupId, topic: input, partition: 2, offset: '17' },
    );
    await reader.until(() => reader.got.length >= 52, '52 records');
    assert.equal(reader.got.length, 52, 'every record exactly once');
    // Reference placement: kafkajs' DefaultPartitioner (Java's murmur2, positive, mod partitions).
    const place = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, i) => ({ partitionId: i, leader: 1 }) as PartitionMetadata);
    const used = new Set<number>();
    for (const r of keyed) {
      const got = reader.got.find((g) => g.message.key?.toString() === r.key);
      assert.ok(got, `record ${r.key} visible`);
      const want = place({ topic: output, partitionMetadata, message: { key: r.key, value: r.value } });
      assert.equal(got.partition, want, `${r.key} on murmur2's partition`);
      assert.equal(got.message.value?.toString(), r.value.toString());
      used.add(got.partition);
    }
    assert.ok(used.size > 1, 'keys spread over partitions (the partitioner is not constant)');
    const meta = reader.got.find((g) => g.message.key?.toString() === 'meta');
    assert.equal(meta?.partition, 3);
    const tomb = reader.got.find((g) => g.message.key?.toString() === 'gone');
    assert.equal(tomb?.partition, 1);
    assert.equal(tomb?.message.value, null, 'a null value stays a tombstone');
    assert.equal(await committed(2, '17'), '17', 'offset committed with the transaction');
  } finally {
    await reader.stop();
    await p.close();
  }
});

test('a failed transaction is aborted: none of its records visible, the group offset unchanged', async () => {
  const p = txns.open(`t${id}-txn-1`);
  try {
    await p.init();
    await p.transact([{ topic: output, key: 'before', value: Buffer.from('ok') }], { groupId, topic: input, partition: 0, offset: '5' });
    assert.equal(await committed(0, '5'), '5');
    // Partition 99 does not exist: the record cannot be delivered, so the commit must fail.
    await assert.rejects(
      p.transact(
        [
          { topic: output, key: 'aborted-1', value: Buffer.from('x') },
          { topic: output, key: 'aborted-2', value: Buffer.from('y'), partition: 99 },
        ],
        { groupId, topic: input, partition: 0, offset: '9' },
      ),
    );
    assert.equal(await committedNow(0), '5', 'the aborted transaction did not move the offset');
    // A marker committed afterwards by a fresh producer (same id: the transaction is over)
    // proves the reader has read past where the aborted records would be.
    const q = txns.open(`t${id}-txn-1`);
    await q.init();
    await q.transact([{ topic: output, key: 'marker', value: Buffer.from('m'), partition: 0 }], { groupId, topic: input, partition: 0, offset: '11' });
    await q.close();
    const reader = await collect(kafka, [output]);
    try {
      await reader.until(() => reader.got.some((g) => g.message.key?.toString() === 'marker'), 'the marker');
      await reader.until(() => reader.got.some((g) => g.message.key?.toString() === 'before'), 'the first commit');
      assert.deepEqual(reader.got.filter((g) => g.message.key?.toString().startsWith('aborted')), [], 'aborted records invisible');
    } finally {
      await reader.stop();
    }
    assert.equal(await committed(0, '11'), '11');
  } finally {
    await p.close();
  }
});

test('a second producer with the same transactional.id fences the first: its next transaction fails as fenced', async () => {
  const zombie = txns.open(`t${id}-txn-2`);
  const heir = txns.open(`t${id}-txn-2`);
  try {
    await zombie.init();
    await zombie.transact([{ topic: output, key: 'z1', value: Buffer.from('1') }], { groupId, topic: input, partition: 1, offset: '3' });
    await heir.init();
    await assert.rejects(
      zombie.transact([{ topic: output, key: 'z2', value: Buffer.from('2') }], { groupId, topic: input, partition: 1, offset: '8' }),
      /fenced/i,
    );
    assert.equal(await committed(1, '3'), '3', 'the zombie moved nothing');
    await heir.transact([{ topic: output, key: 'h1', value: Buffer.from('3') }], { groupId, topic: input, partition: 1, offset: '4' });
    assert.equal(await committed(1, '4'), '4');
  } finally {
    await zombie.close();
    await heir.close();
  }
});

test('a transaction longer than flushEvery: delivered in steps, committed whole; aborted after a step, none of it visible', async () => {
  // Every 7 records the producer waits for delivery before queuing more (a window close's
  // commit, bounded). The value is one buffer refilled per record, as the part log's views are.
  const stepped = rdkafkaTransactions(config.kafka, { role: 'test', log: () => undefined, metadataTopic: output, flushEvery: 7 });
  const p = stepped.open(`t${id}-txn-3`);
  const reader = await collect(kafka, [output]);
  function* refilled(n: number, prefix: string, bad?: number) {
    const view = Buffer.alloc(8);
    for (let i = 0; i < n; i++) {
      view.write(`v${String(i).padStart(7, '0')}`);
      yield { topic: output, key: `${prefix}-${i}`, value: view, partition: i === bad ? 99 : i % PARTITIONS };
    }
  }
  try {
    await p.init();
    await p.transact(refilled(30, 'step'), { groupId, topic: input, partition: 3, offset: '30' });
    await reader.until(() => reader.got.filter((g) => g.message.key?.toString().startsWith('step-')).length >= 30, '30 records');
    const got = reader.got.filter((g) => g.message.key?.toString().startsWith('step-'));
    assert.equal(got.length, 30, 'every record exactly once');
    for (const g of got) {
      const i = Number(g.message.key?.toString().slice('step-'.length));
      assert.equal(g.message.value?.toString(), `v${String(i).padStart(7, '0')}`, `record ${i} kept its own value`);
      assert.equal(g.partition, i % PARTITIONS);
    }
    assert.equal(await committed(3, '30'), '30');
    // Record 20 cannot be delivered; records 0 – 13 were delivered by two flushes before it.
    await assert.rejects(p.transact(refilled(25, 'lost', 20), { groupId, topic: input, partition: 3, offset: '55' }));
    assert.equal(await committedNow(3), '30', 'the aborted transaction did not move the offset');
    const q = stepped.open(`t${id}-txn-3`);
    await q.init();
    // A marker on every partition: the reader has read past where any aborted record would be.
    const markers = Array.from({ length: PARTITIONS }, (_, i) => ({ topic: output, key: `step-marker-${i}`, value: Buffer.from('m'), partition: i }));
    await q.transact(markers, { groupId, topic: input, partition: 3, offset: '31' });
    await q.close();
    await reader.until(() => reader.got.filter((g) => g.message.key?.toString().startsWith('step-marker-')).length >= PARTITIONS, 'the markers');
    assert.deepEqual(reader.got.filter((g) => g.message.key?.toString().startsWith('lost-')), [], 'records delivered before the abort invisible');
  } finally {
    await reader.stop();
    await p.close();
    await stepped.close();
  }
});
