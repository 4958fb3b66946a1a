// StateRecords (pipeline/aggregate/state-records.ts) against a plain Map of copied Buffers as the
// model: a seeded stream of sets and deletes over a few hundred keys, values of random lengths
// (growing, shrinking, empty, now and then larger than a buffer of its own), must leave exactly
// the model's keys, each with the model's bytes — whichever slot, reused or rewritten, holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateRecords } from '../../../pipeline/aggregate/state-records.js';
import { rng } from '../../e2e/workload.js'; // mulberry32: the same stream in every run

function check(records: StateRecords, model: Map<string, Buffer>, when: string): void {
  assert.equal(records.size, model.size, `${when}: size`);
  assert.deepEqual([...records.keys()].sort(), [...model.keys()].sort(), `${when}: keys`);
  for (const [key, value] of records) assert.ok(value.equals(model.get(key) as Buffer), `${when}: ${key}'s bytes`);
  for (const [key, value] of model) assert.ok(records.get(key)?.equals(value), `${when}: get(${key})`);
}

test('holds the newest value of each key, as a Map of copies does, through rewrites, deletes and reused slots', () => {
  const next = rng(11);
  const records = new StateRecords();
  const model = new Map<string, Buffer>();
  for (let i = 0; i < 20_000; i++) {
    const key = `0#o${Math.floor(next() * 300)}/srv-${Math.floor(next() * 3)}`;
    if (next() < 0.2) {
      records.delete(key);
      model.delete(key);
      continue;
    }
    const r = next();
    // Mostly small records of varying length; a few empty, a few of a buffer of their own.
    const length = r < 0.02 ? 0 : r < 0.025 ? 70_000 + Math.floor(next() * 1000) : 1 + Math.floor(next() * 400);
    const value = Buffer.alloc(length);
    const base = Math.floor(next() * 256);
    for (let j = 0; j < length; j++) value[j] = (base + j * 7) & 0xff;
    records.set(key, value);
    // The value given may be a view of a buffer the caller reuses: what is held must be a copy.
    model.set(key, Buffer.from(value));
    value.fill(0xee);
    if (i % 5000 === 4999) check(records, model, `after ${i + 1} operations`);
  }
  check(records, model, 'at the end');
  records.clear();
  assert.equal(records.size, 0);
  assert.deepEqual([...records], []);
  records.set('k', Buffer.from('again'));
  assert.equal(records.get('k')?.toString(), 'again');
});
