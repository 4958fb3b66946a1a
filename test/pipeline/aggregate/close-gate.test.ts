// The close gate: one holder at a time, in the order taken, released once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseGate } from '../../../pipeline/aggregate/close-gate.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('closes take the gate one at a time, in the order they asked', async () => {
  const gate = new CloseGate();
  const order: string[] = [];
  const first = await gate.take();
  order.push('a');
  const b = gate.take().then((release) => (order.push('b'), release));
  const c = gate.take().then((release) => (order.push('c'), release));
  await turn();
  assert.deepEqual(order, ['a']); // b and c wait for a
  assert.equal(gate.queued, 2);
  first();
  const second = await b;
  await turn();
  assert.deepEqual(order, ['a', 'b']); // c still waits, for b
  second();
  second(); // a second release does nothing
  (await c)();
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(gate.queued, 0);
  // Free again: taken at once.
  (await gate.take())();
});

test('a release called twice does not let two later closes in together', async () => {
  const gate = new CloseGate();
  const a = await gate.take();
  const holders: number[] = [];
  let inside = 0;
  const hold = async (): Promise<void> => {
    const release = await gate.take();
    inside++;
    holders.push(inside);
    await turn();
    inside--;
    release();
    release();
  };
  const all = Promise.all([hold(), hold(), hold()]);
  a();
  a();
  await all;
  assert.deepEqual(holders, [1, 1, 1]);
});
