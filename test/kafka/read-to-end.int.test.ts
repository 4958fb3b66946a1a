// kafka/read-to-end.ts against the stack's broker: a range of one partition read to its end,
// each committed record once and in order (aborted ones and the other partition never handed
// on, commit markers at the end still ending the read), and the same with the broker cut off
// mid-read until kafkajs gives up and restarts the consumer (restart: true) — the read goes on
// from where it was, no record twice, none skipped. A handler error fails the read at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { readToEnd } from '../../kafka/read-to-end.js';
import { faultSockets } from './fault-socket.js';
import { createFreshTopics } from './fresh-topics.js';

const config = loadConfig();
const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' });

const value = (i: number) => Buffer.from(`record-${String(i).padStart(5, '0')}-${'x'.repeat(80)}`);

/**
 * A fresh two-partition topic. Partition 0: `n` records at offsets 0..n-1 (value i at offset i),
 * then, when `withTransactions`, an aborted transaction (3 records + marker) and a committed one
 * (2 records + marker, the partition's last offset). Partition 1: one record.
 */
async function topicWith(n: number, withTransactions: boolean): Promise<string> {
  const topic = `t${randomBytes(4).toString('hex')}.read-to-end`;
  const admin = kafka.admin();
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 2 }]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  // Sent 100 at a time: a fetch returns whole record batches, so small ones make many fetches.
  for (let i = 0; i < n; i += 100) {
    const messages: Message[] = [];
    for (let j = i; j < Math.min(n, i + 100); j++) messages.push({ partition: 0, value: value(j) });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: Buffer.from('other partition') }] });
  await producer.disconnect();
  if (withTransactions) await transactions(kafka, topic, n);
  return topic;
}

/** Offsets n..n+2 aborted, n+3 its marker; n+4, n+5 committed, n+6 its marker. */
async function transactions(k: Kafka, topic: string, n: number): Promise<void> {
  const tx = k.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await tx.connect();
  const aborted = await tx.transaction();
  await aborted.send({ topic, messages: [n, n + 1, n + 2].map((i) => ({ partition: 0, value: value(i) })) });
  await aborted.abort();
  const committed = await tx.transaction();
  await committed.send({ topic, messages: [n + 4, n + 5].map((i) => ({ partition: 0, value: value(i) })) });
  await committed.commit();
  await tx.disconnect();
}

/** [a, a+1, …, b] as strings. */
const offsets = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));

test('reads exactly the committed records of the range, in order, and stops at the end past commit markers', { timeout: 60_000 }, async () => {
  const topic = await topicWith(40, true);
  const seen: { partition: number; offset: string; value: string }[] = [];
  const handed = await readToEnd({
    kafka,
    topic,
    ranges: [{ partition: 0, from: 7n, upTo: 46n }], // 46: the last marker (40 + 6)
    groupPrefix: 'test-read-to-end',
    onRecords: (partition, messages) => {
      for (const m of messages) seen.push({ partition, offset: m.offset, value: m.value?.toString() ?? '' });
    },
  });
  // 7..39 plain, 40..42 aborted (never seen), 43 a marker, 44..45 committed, 46 a marker.
  const want = [...offsets(7, 39), '44', '45'];
  assert.deepEqual(seen.map((s) => s.offset), want);
  assert.ok(seen.every((s) => s.partition === 0 && s.value === value(Number(s.offset)).toString()));
  assert.equal(handed, want.length);
});

test('a consumer kafkajs restarts mid-read (broker cut off past its retries) hands on every record once, in order', { timeout: 120_000 }, async () => {
  const N = 3000;
  const topic = await topicWith(N, false);
  const faults = faultSockets();
  const flaky = createKafka(config.kafka, { role: 'test-flaky', level: 'nothing', socketFactory: faults.factory });
  const seen: string[] = [];
  const restarts: { at: number; error: string }[] = [];
  let cutAt: number | undefined;
  const handed = await readToEnd({
    kafka: flaky,
    topic,
    ranges: [{ partition: 0, from: 100n, upTo: BigInt(N - 1) }],
    groupPrefix: 'test-read-to-end-restart',
    // One record batch (100 records) per fetch: the read takes many fetches, the cut falls inside it.
    maxBytesPerPartition: 2048,
    sessionTimeoutMs: 6000, // the broker's minimum: the restarted member waits for the old one's session
    onRecords: async (_p, messages) => {
      await new Promise((r) => setImmediate(r)); // an asynchronous handler, as the dedup rebuild's
      for (const m of messages) seen.push(m.offset);
      if (cutAt === undefined && seen.length >= 400) {
        cutAt = seen.length;
        faults.cut();
      }
    },
    onRestart: (err) => {
      restarts.push({ at: seen.length, error: err.message });
      faults.restore();
    },
  });
  assert.ok(cutAt !== undefined, 'the broker was cut off during the read');
  assert.ok(restarts.length >= 1, 'kafkajs restarted the consumer (a retriable crash) at least once');
  assert.ok((restarts[0]?.at ?? N) < N - 100, `the restart fell inside the read: ${JSON.stringify(restarts)}`);
  // Worked by hand: offsets 100..2999, each once, in order — nothing re-read from the
  // beginning or skipped after the restarted member joined.
  assert.deepEqual(seen, offsets(100, N - 1));
  assert.equal(handed, N - 100);
});

test("a handler's error fails the read (not left to kafkajs' retries and restarts)", { timeout: 60_000 }, async () => {
  const topic = await topicWith(50, false);
  let calls = 0;
  await assert.rejects(
    readToEnd({
      kafka,
      topic,
      ranges: [{ partition: 0, from: 0n, upTo: 49n }],
      groupPrefix: 'test-read-to-end-error',
      onRecords: () => {
        calls++;
        throw new Error('handler broke');
      },
    }),
    /handler broke/,
  );
  assert.equal(calls, 1, 'the failing batch was not retried');
});

test('one partition at a time: a partition is fetched only once the previous one is read and its end handled', { timeout: 60_000 }, async () => {
  const topic = `t${randomBytes(4).toString('hex')}.read-to-end`;
  const admin = kafka.admin();
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 3 }]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  // 300 records per partition, 100 to a batch: each partition takes several fetches.
  for (const partition of [0, 1, 2])
    for (let i = 0; i < 300; i += 100)
      await producer.send({ topic, acks: -1, messages: offsets(i, i + 99).map((o) => ({ partition, value: value(Number(o)) })) });
  await producer.disconnect();
  const events: string[] = [];
  await readToEnd({
    kafka,
    topic,
    // Read in this order: 2, then 0, then 1 (from 50 on).
    ranges: [
      { partition: 2, from: 0n, upTo: 299n },
      { partition: 0, from: 0n, upTo: 299n },
      { partition: 1, from: 50n, upTo: 299n },
    ],
    groupPrefix: 'test-read-to-end-in-order',
    maxBytesPerPartition: 2048,
    onePartitionAtATime: true,
    onRecords: (partition, messages) => {
      for (const m of messages) events.push(`${partition}:${m.offset}`);
    },
    onPartitionEnd: async (partition) => {
      await new Promise((r) => setTimeout(r, 50)); // a slow end: nothing of the next partition meanwhile
      events.push(`end ${partition}`);
    },
  });
  const want = [
    ...offsets(0, 299).map((o) => `2:${o}`),
    'end 2',
    ...offsets(0, 299).map((o) => `0:${o}`),
    'end 0',
    ...offsets(50, 299).map((o) => `1:${o}`),
    'end 1',
  ];
  assert.deepEqual(events, want);
});
