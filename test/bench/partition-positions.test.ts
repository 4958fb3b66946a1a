// The benches' once-per-record count across a kafkajs consumer restart (which re-reads from 0).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionPositions } from '../../bench/partition-positions.js';

const batch = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ offset: String(from + i) }));
const offsets = (ms: readonly { offset: string }[]) => ms.map((m) => Number(m.offset));

describe('PartitionPositions', () => {
  it('counts each offset of a partition once when a restarted consumer reads it again from the start', () => {
    const p = new PartitionPositions();
    assert.deepEqual(offsets(p.fresh(0, batch(0, 4))), [0, 1, 2, 3, 4]);
    assert.deepEqual(offsets(p.fresh(1, batch(0, 2))), [0, 1, 2]);
    // Restart: partition 0 from offset 0 again, in batches that end below, straddle and pass the position.
    assert.deepEqual(offsets(p.fresh(0, batch(0, 2))), []);
    assert.deepEqual(offsets(p.fresh(0, batch(3, 7))), [5, 6, 7]);
    assert.deepEqual(offsets(p.fresh(0, batch(8, 9))), [8, 9]);
    assert.deepEqual(offsets(p.fresh(1, [])), []);
    // 10 distinct offsets on partition 0 + 3 on partition 1 = 13, though 20 records were delivered.
    assert.equal(p.seen, 13);
  });

  it('accepts gaps (compaction, transaction markers) and offsets past 2^53 exactly', () => {
    const p = new PartitionPositions();
    assert.deepEqual(offsets(p.fresh(2, [{ offset: '0' }, { offset: '5' }])), [0, 5]);
    assert.deepEqual(offsets(p.fresh(2, [{ offset: '5' }, { offset: '9' }])), [9]);
    const big = '9007199254740993'; // 2^53 + 1: a number would round it to 2^53 and count it twice
    assert.equal(p.fresh(3, [{ offset: '9007199254740992' }]).length, 1);
    assert.equal(p.fresh(3, [{ offset: big }]).length, 1);
    assert.equal(p.seen, 5);
  });
});
