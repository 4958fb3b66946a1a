// The acknowledged producer's contract over librdkafka, with the native client replaced by a
// controllable fake: a send resolves only once every one of its records has a delivery report
// without an error; a failed report → `unavailable` with its cause; no reports in time →
// `unavailable`, and new sends fail fast while those records are outstanding; reports arriving
// (broker back) → sends work again, same producer; a full local queue is waited out; a failed
// connect or a fatal error is followed by a new client on the next send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackedProducerOver, QueueFullError, type RdCallbacks, type RdHandle } from '../../../kafka/rdkafka/acked-producer.js';
import type { OutRecord } from '../../../kafka/producer.js';
import { isKind } from '../../../lib/errors.js';

interface Queued { record: OutRecord; opaque: object }

function fakeClient(opts: { failConnects?: number; queueRoom?: number } = {}) {
  const queued: Queued[] = [];
  let cb: RdCallbacks | undefined;
  let connects = 0;
  let closes = 0;
  let room = opts.queueRoom ?? Infinity;
  const connector = async (c: RdCallbacks): Promise<RdHandle> => {
    connects++;
    if (connects <= (opts.failConnects ?? 0)) throw new Error('connect to 127.0.0.1:1: Local: Broker transport failure');
    cb = c;
    return {
      produce(record, opaque) {
        if (room <= 0) throw new QueueFullError('local queue full');
        room--;
        queued.push({ record, opaque });
      },
      async close() {
        closes++;
      },
    };
  };
  /** Delivers (or fails) the oldest `n` queued records, as librdkafka's poll would. */
  const report = (n: number, err?: Error) => {
    for (const q of queued.splice(0, n)) cb?.delivered(q.opaque, err);
  };
  return {
    connector, queued, report, callbacks: () => cb, connects: () => connects, closes: () => closes,
    makeRoom: (n: number) => (room += n),
  };
}

const rec = (topic = 't', key: string | null = 'srv-1') => ({ topic, key, value: Buffer.from('x') });
const tick = () => new Promise((r) => setImmediate(r));

test('a send resolves only when every one of its records is reported delivered', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  let done = false;
  const s = p.send([rec('a'), rec('b'), rec('a')]).then(() => (done = true));
  await tick();
  assert.deepEqual(f.queued.map((q) => q.record.topic), ['a', 'b', 'a']);
  f.report(2);
  await tick();
  assert.equal(done, false, 'two of three reported');
  f.report(1);
  await s;
  assert.equal(done, true);
});

test('one failed delivery report fails the send as unavailable, naming the cause', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  const s = p.send([rec(), rec()]);
  await tick();
  f.report(1);
  f.report(1, new Error('Broker: Not enough in-sync replicas'));
  await assert.rejects(s, (err) => isKind(err, 'unavailable') && /Not enough in-sync replicas/.test((err as Error).message));
});

test('no reports in time → unavailable; records outstanding → fail fast; reports arrive → works again', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 30 });
  await assert.rejects(p.send([rec()]), (err) => isKind(err, 'unavailable') && /no acknowledgement within 30 ms/.test((err as Error).message));
  await assert.rejects(p.send([rec()]), /earlier produce has waited/);
  assert.equal(f.queued.length, 1, 'the refused send queued nothing');
  f.report(1); // the broker came back and the old record was delivered after all
  const s = p.send([rec()]);
  await tick();
  f.report(1);
  await s;
});

test('sends of concurrent callers are independent: each resolves with its own records', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  const settled: string[] = [];
  const first = p.send([rec('a')]).then(() => settled.push('first'));
  const second = p.send([rec('b'), rec('c')]).then(() => settled.push('second'));
  await tick();
  assert.equal(f.queued.length, 3, 'both sends queued at once (librdkafka batches them)');
  f.report(1);
  await first;
  assert.deepEqual(settled, ['first']);
  f.report(2);
  await second;
  assert.deepEqual(settled, ['first', 'second']);
});

test('a full local queue is waited out (back-pressure), the order kept', async () => {
  const f = fakeClient({ queueRoom: 2 });
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000, queueFullWaitMs: 1 });
  const recs = [1, 2, 3, 4, 5].map((i) => ({ topic: 't', key: 'k', value: Buffer.from([i]) }));
  const s = p.send(recs);
  await tick();
  assert.equal(f.queued.length, 2);
  f.report(2);
  f.makeRoom(3);
  while (f.queued.length < 3) await new Promise((r) => setTimeout(r, 2));
  f.report(3);
  await s;
  assert.equal(f.queued.length, 0);
});

test('a queue that stays full answers unavailable at the ack timeout and queues nothing more', async () => {
  const f = fakeClient({ queueRoom: 1 });
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 40, queueFullWaitMs: 1 });
  await assert.rejects(p.send([rec(), rec(), rec()]), /no acknowledgement within 40 ms/);
  f.makeRoom(10);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(f.queued.length, 1, 'records still waiting for room were dropped, not sent late');
});

test('a failed connect (no broker at start-up) is retried by the next send', async () => {
  const f = fakeClient({ failConnects: 1 });
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  await assert.rejects(p.send([rec()]), (err) => isKind(err, 'unavailable') && /Broker transport failure/.test((err as Error).message));
  const s = p.send([rec()]);
  await tick();
  assert.equal(f.connects(), 2);
  f.report(1);
  await s;
});

test('a fatal error drops the client; the next send connects a new one', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  const s = p.send([rec()]);
  await tick();
  f.callbacks()?.fatal(new Error('Fatal idempotent producer error'));
  f.report(1, new Error('Local: Fatal error'));
  await assert.rejects(s, /Fatal error/);
  await tick();
  assert.equal(f.closes(), 1);
  const next = p.send([rec()]);
  await tick();
  assert.equal(f.connects(), 2);
  f.report(1);
  await next;
});

test('an empty send resolves at once; after close every send is refused', async () => {
  const f = fakeClient();
  const p = ackedProducerOver(f.connector, { ackTimeoutMs: 5000 });
  await p.send([]);
  assert.equal(f.connects(), 0);
  const s = p.send([rec()]);
  await tick();
  f.report(1);
  await s;
  await p.close();
  assert.equal(f.closes(), 1);
  await assert.rejects(p.send([rec()]), (err) => isKind(err, 'unavailable') && /closed/.test((err as Error).message));
});
