// The shared consumer pieces (kafka/consumer/): a fetch cut into slices resolves each slice's
// last record and, at the end, the batch's own last offset (past a commit marker); records
// below a restored partition's next offset are skipped; a wait for a restore heartbeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { slices, waitWithHeartbeats } from '../../../kafka/consumer/fetch-batch.js';
import { nextOffset, notBefore } from '../../../kafka/consumer/offsets.js';

const msg = (offset: number): KafkaMessage => ({ offset: String(offset) }) as KafkaMessage;

test('slices of a batch: sizes, and the offset each one resolves', () => {
  // Records 10..14, then a commit marker at 15: the batch's last offset is 15.
  const batch = { messages: [10, 11, 12, 13, 14].map(msg), lastOffset: () => '15' };
  const got = [...slices(batch, 2)].map((s) => [s.messages.map((m) => m.offset), s.last]);
  assert.deepEqual(got, [
    [['10', '11'], '11'],
    [['12', '13'], '13'],
    [['14'], '15'],
  ]);
  assert.deepEqual([...slices({ messages: [], lastOffset: () => '3' }, 2)], []);
});

test('offsets are 64-bit: compared and incremented exactly', () => {
  const big = '9007199254740993'; // 2^53 + 1: not representable as a double
  assert.equal(nextOffset(big), '9007199254740994');
  const ms = ['9007199254740992', big, '9007199254740994'].map((o) => ({ offset: o }) as KafkaMessage);
  assert.deepEqual(notBefore(ms, big).map((m) => m.offset), [big, '9007199254740994']);
  assert.equal(notBefore(ms, undefined).length, 3);
});

test('a slice wholly at or past the restored offset is kept as it is; one straddling it is cut', () => {
  const ms = ['7', '8', '9'].map((o) => ({ offset: o }) as KafkaMessage);
  assert.equal(notBefore(ms, '7'), ms); // the same array: nothing to drop
  assert.equal(notBefore(ms, '2'), ms);
  assert.deepEqual(notBefore(ms, '9').map((m) => m.offset), ['9']); // 7 and 8 are in the state
  assert.deepEqual(notBefore(ms, '10'), []); // all older (a re-fetch after a commit)
  assert.deepEqual(notBefore([], '3'), []);
});

test('waiting for a restore heartbeats until it is done', async () => {
  // The wait's own timers are unref'd (they never hold a process open); this one does.
  const alive = setInterval(() => undefined, 1000);
  let beats = 0;
  let done: () => void = () => undefined;
  const ready = new Promise<void>((r) => (done = r));
  const waiting = waitWithHeartbeats(ready, async () => {
    if (++beats === 2) done(); // the restore ends during the second heartbeat
  }, 5);
  await waiting;
  clearInterval(alive);
  assert.equal(beats, 2);
});
