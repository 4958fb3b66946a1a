// CommitRecords (commit-records.ts): runs of records, empty ones included, in order, through one
// record object refilled each time, and every field rewritten (no partition left over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitRecords, fillRecord, runOf } from '../../../pipeline/aggregate/commit-records.js';

test('runs are taken in order, empty runs skipped, each record filled completely', () => {
  const records = new CommitRecords([
    runOf(['a', 'b'], (k, i, into) => fillRecord(into, 't1', k, Buffer.from([i]))),
    runOf([], () => assert.fail('an empty run fills nothing')),
    runOf([7], (p, _i, into) => fillRecord(into, 't2', 'k', null, p)),
    runOf(['c'], (k, _i, into) => fillRecord(into, 't1', k, Buffer.from('z'))),
  ]);
  const seen: unknown[] = [];
  let first: object | undefined;
  for (const r of records) {
    first ??= r;
    assert.equal(r, first); // the same object each time
    seen.push([r.topic, r.key, r.value === null ? null : r.value.toString('hex'), r.partition]);
  }
  assert.deepEqual(seen, [
    ['t1', 'a', '00', undefined],
    ['t1', 'b', '01', undefined],
    ['t2', 'k', null, 7],
    ['t1', 'c', '7a', undefined], // the partition of the record before is not carried over
  ]);
  assert.deepEqual(records.next(), { done: true, value: undefined }); // and stays done
});
