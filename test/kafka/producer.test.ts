// The acknowledged producer's contract, with kafkajs replaced by a controllable fake:
// a send resolves only after Kafka acknowledged; no acknowledgement in time → `unavailable`;
// while a produce is stuck, new sends fail fast; when the broker answers again, sends work
// again without a new producer (no restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { createAckedProducer, chunkRecords } from '../../kafka/producer.js';
import { isKind } from '../../lib/errors.js';

interface Call { acks: number | undefined; topics: string[]; resolve: () => void; reject: (e: Error) => void }

function fakeKafka(opts: { failConnects?: number } = {}) {
  const calls: Call[] = [];
  let connects = 0;
  let config: Record<string, unknown> = {};
  const kafka = {
    producer(cfg: Record<string, unknown>) {
      config = cfg;
      return {
        async connect() {
          connects++;
          if (connects <= (opts.failConnects ?? 0)) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1');
        },
        sendBatch(b: { acks?: number; topicMessages: { topic: string }[] }) {
          return new Promise<void>((resolve, reject) => calls.push({ acks: b.acks, topics: b.topicMessages.map((t) => t.topic), resolve, reject }));
        },
        async disconnect() {},
      };
    },
  } as unknown as Pick<Kafka, 'producer'>;
  return { kafka, calls, connects: () => connects, config: () => config };
}

const rec = (topic = 't') => ({ topic, key: 'srv-1', value: Buffer.from('x') });
const tick = () => new Promise((r) => setImmediate(r));

test('idempotent producer, acks=all; send resolves only when the produce is acknowledged', async () => {
  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000 });
  assert.equal(f.config().idempotent, true);
  let done = false;
  const s = p.send([rec('a'), rec('b'), rec('a')]).then(() => (done = true));
  await tick();
  assert.equal(f.calls.length, 1);
  assert.equal(f.calls[0]?.acks, -1);
  assert.deepEqual(f.calls[0]?.topics, ['a', 'b']);
  assert.equal(done, false);
  f.calls[0]?.resolve();
  await s;
  assert.equal(done, true);
});

test('no acknowledgement in time → unavailable; stuck produce → fail fast; broker back → works again', async () => {
  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 30 });
  await assert.rejects(p.send([rec()]), (err) => isKind(err, 'unavailable') && /no acknowledgement within 30 ms/.test((err as Error).message));
  // The first produce is still pending (kafkajs keeps retrying): new sends are refused at once.
  await assert.rejects(p.send([rec()]), /earlier produce has waited/);
  assert.equal(f.calls.length, 1);
  f.calls[0]?.resolve(); // the broker came back and acknowledged the old produce
  await tick();
  const s = p.send([rec()]);
  await tick();
  f.calls[1]?.resolve();
  await s;
});

test('a produce error is reported as unavailable with its cause', async () => {
  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000 });
  const s = p.send([rec()]);
  await tick();
  f.calls[0]?.reject(new Error('KafkaJSNumberOfRetriesExceeded'));
  await assert.rejects(s, (err) => isKind(err, 'unavailable') && /KafkaJSNumberOfRetriesExceeded/.test((err as Error).message));
});

test('a failed connect (no broker at start-up) is retried by the next send', async () => {
  const f = fakeKafka({ failConnects: 1 });
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000 });
  await assert.rejects(p.send([rec()]), /ECONNREFUSED/);
  const s = p.send([rec()]);
  await tick();
  assert.equal(f.connects(), 2);
  f.calls[0]?.resolve();
  await s;
});

test('records are cut into produce requests under the byte limit, in order, sent one after another', async () => {
  const recs = Array.from({ length: 10 }, (_, i) => ({ topic: 't', key: 'k', value: Buffer.alloc(100, i) }));
  // Each record counts 100 + 1 (key) + 64 = 165 bytes; 400 bytes hold two.
  assert.deepEqual(chunkRecords(recs, 400).map((c) => c.map((r) => r.value[0])), [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]);
  // A record alone over the limit still goes (the broker judges it), on its own.
  assert.deepEqual(chunkRecords(recs.slice(0, 2), 100).map((c) => c.length), [1, 1]);

  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000, maxRequestBytes: 400 });
  const s = p.send(recs);
  await tick();
  assert.equal(f.calls.length, 1, 'the second chunk waits for the first acknowledgement');
  for (let i = 0; i < 5; i++) {
    f.calls[i]?.resolve();
    await tick();
    await tick();
  }
  await s;
  assert.equal(f.calls.length, 5);
});

test('sends arriving while a produce is in flight go together in the next one, in order; each resolves with its own produce', async () => {
  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000 });
  const settled: string[] = [];
  const first = p.send([rec('a')]).then(() => settled.push('first'));
  await tick();
  assert.equal(f.calls.length, 1);
  // Three HTTP requests' sends while the first produce waits for its acknowledgement.
  const second = p.send([rec('b')]).then(() => settled.push('second'));
  const third = p.send([rec('c'), rec('b')]).then(() => settled.push('third'));
  const fourth = p.send([rec('d')]).then(() => settled.push('fourth'));
  await tick();
  assert.equal(f.calls.length, 1, 'nothing more is sent until the first produce is acknowledged');
  f.calls[0]?.resolve();
  await first;
  await tick();
  assert.equal(f.calls.length, 2, 'the three waiting sends went as one produce');
  assert.deepEqual(f.calls[1]?.topics, ['b', 'c', 'd']); // byTopic keeps first-seen order
  assert.deepEqual(settled, ['first']);
  f.calls[1]?.resolve();
  await Promise.all([second, third, fourth]);
  assert.deepEqual(settled, ['first', 'second', 'third', 'fourth']);
});

test('a failed combined produce fails every send it carried; the next sends go on', async () => {
  const f = fakeKafka();
  const p = createAckedProducer(f.kafka, { ackTimeoutMs: 5000 });
  const first = p.send([rec('a')]);
  await tick();
  const second = p.send([rec('b')]);
  const third = p.send([rec('c')]);
  f.calls[0]?.resolve();
  await first;
  await tick();
  f.calls[1]?.reject(new Error('NOT_ENOUGH_REPLICAS'));
  await assert.rejects(second, (err) => isKind(err, 'unavailable'));
  await assert.rejects(third, (err) => isKind(err, 'unavailable'));
  const fourth = p.send([rec('d')]);
  await tick();
  f.calls[2]?.resolve();
  await fourth;
});
