// The slab's storage (slab.ts): columns that grow in place within a reservation and move once
// past it, narrow columns that widen once when a value needs it (counts, lengths, mantissas),
// 16-bit count columns whose excess goes to the side table, and the column-byte tally
// the memory bench reads. Expected values are worked by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slab, slabColumnBytes } from '../../../pipeline/aggregation/slab.js';
import { compileMeter } from '../../../pipeline/aggregation/accumulator.js';
import { formatFixed } from '../../../pipeline/aggregation/fixed.js';
import { meter } from './helpers.js';

const sumM = compileMeter(meter('sum', 'v', 'delta', 'sum'));
const maxM = compileMeter(meter('max', 'v', 'gauge', 'max'));
const latestM = compileMeter(meter('latest', 'v', 'gauge', 'latest'));

test('a count crosses 2^16 − 1 one sample at a time and by restore, exactly', () => {
  const slab = new Slab([sumM]);
  const row = slab.alloc(1, 0, 60_000);
  slab.openCell(row, 0);
  for (let i = 0; i < 70_000; i++) slab.incCount(row, 0);
  assert.equal(slab.count(row, 0), 70_000);
  assert.equal(slab.has(row, 0), true);
  const r2 = slab.alloc(2, 0, 60_000);
  slab.openCell(r2, 0);
  slab.setCount(r2, 0, 65_535); // the column's largest value: no side entry
  assert.equal(slab.countOver.size, 1); // only row's excess so far
  slab.incCount(r2, 0); // 65 536: over
  slab.incCount(r2, 0);
  assert.equal(slab.count(r2, 0), 65_537);
  slab.setCount(r2, 0, 5_000_000_000);
  assert.equal(slab.count(r2, 0), 5_000_000_000);
  // A freed row takes its excess with it; the row reused counts from nothing.
  slab.free(row);
  const again = slab.alloc(3, 0, 60_000);
  assert.equal(again, row);
  assert.equal(slab.has(again, 0), false);
  slab.openCell(again, 0);
  slab.incCount(again, 0);
  assert.equal(slab.count(again, 0), 1);
});

test('rows keep their values as the columns grow in place and then past the reservation', () => {
  // 64 rows at first, address space for 96: 64 → 96 rows in place (× 1.5); the 97th row needs
  // 144 and moves the columns into a reservation of max(144, 4 × 96) = 384 rows.
  const slab = new Slab([sumM, maxM, latestM], 64, 96);
  const start0 = slab.start;
  const write = (i: number): number => {
    const row = slab.alloc(100 + i, i * 60_000, (i + 1) * 60_000);
    for (let m = 0; m < 3; m++) {
      slab.openCell(row, m);
      slab.incCount(row, m);
      slab.setOffsets(row, m, 1000 + i, 2000 + i);
    }
    slab.addSmall(row, 0, i * 7, 1); // i × 0.7
    slab.setX(row, 1, { m: BigInt(i) * 10n ** 20n, s: 2 }, 0); // over 2^53: side table
    slab.setX(row, 2, { m: BigInt(-i), s: 0 }, 5000 + i);
    return row;
  };
  const check = (row: number, i: number): void => {
    assert.equal(slab.server[row], 100 + i);
    assert.deepEqual([slab.start[row], slab.endOf(row)], [i * 60_000, (i + 1) * 60_000]);
    assert.equal(formatFixed(slab.sum(row, 0)), (i * 0.7).toFixed(1).replace(/\.0$/, ''));
    assert.equal(formatFixed(slab.x(row, 1) ?? { m: -1n, s: 0 }), i === 0 ? '0' : `${i}000000000000000000`);
    assert.equal(formatFixed(slab.x(row, 2) ?? { m: 1n, s: 0 }), String(-i));
    assert.equal(slab.cols[2]?.xts?.[row], 5000 + i);
    for (let m = 0; m < 3; m++) {
      assert.deepEqual([slab.count(row, m), slab.offset(row, m, false), slab.offset(row, m, true)], [1, String(1000 + i), String(2000 + i)]);
    }
  };
  const rows: number[] = [];
  for (let i = 0; i < 96; i++) rows.push(write(i));
  assert.equal(slab.start, start0, 'grown in place: the same view');
  assert.equal(slab.start.length, 96);
  rows.forEach((row, i) => check(row, i));
  for (let i = 96; i < 400; i++) rows.push(write(i)); // 144 → 216 → 324 in place, then 486: moved again
  assert.notEqual(slab.start, start0, 'past the reservation: moved');
  rows.forEach((row, i) => check(row, i));
});

test('the column-byte tally counts each row at its columns’ widths', () => {
  // Per row: server number 4, start 8, length 4 (32-bit until a segment is longer), next, sameEnd
  // 2 × 4, changelog flags 1 = 25; the row's offsets: first 4 (32-bit from the slab's base) + last
  // 4 + mixed flag 1 = 9 → 34; sum: count 1 (8-bit until a row counts past 255) + small 4 (32-bit
  // until a value needs more) + scale 1 = 6; max: 1 + mantissa 4 + scale 1 = 6; latest: 6 + time
  // 8 = 14 → 34 + 26 = 60. (Before the 8-bit counts, 32-bit lengths and first offsets: 71; before
  // the server number, a JS array outside the tally, 67; before the changelog flags 66; before
  // that 106: per meter first / last offsets 8, a scale 3 bytes wider and a mantissa 4 wider,
  // 3 × 15 = 45 more; per row a base 8 instead of first 8, last 4, flag 1: 5 fewer.)
  const before = slabColumnBytes();
  const slab = new Slab([sumM, maxM, latestM], 64);
  assert.equal(slabColumnBytes() - before, 64 * 60);
  for (let i = 0; i < 65; i++) slab.alloc(1, 0, 1); // the 65th row grows 64 → 96 rows
  assert.equal(slabColumnBytes() - before, 96 * 60);
});

test('a count past 255 widens its meter’s count column to 16 bits, once, keeping every row’s count', () => {
  const before = slabColumnBytes();
  const slab = new Slab([sumM, maxM], 64);
  const rows = Array.from({ length: 40 }, (_, i) => {
    const row = slab.alloc(i, 0, 60_000);
    slab.openCell(row, 0);
    slab.openCell(row, 1);
    for (let k = 0; k <= i; k++) slab.incCount(row, 0); // row i counts i + 1
    slab.setCount(row, 1, 255 - i);
    return row;
  });
  // per row 34 + 2 × 6 = 46
  assert.equal(slabColumnBytes() - before, 64 * 46, 'nothing widened yet');
  for (let k = 0; k < 255 - 9; k++) slab.incCount(rows[9] as number, 0); // 10 + 246 = 256: past a byte
  assert.equal(slabColumnBytes() - before, 64 * 47, 'the sum’s counts widened: 1 byte more per row');
  slab.setCount(rows[0] as number, 1, 70_000); // restored past 16 bits: widened, and the excess aside
  assert.equal(slabColumnBytes() - before, 64 * 48, 'the max’s counts widened too');
  rows.forEach((row, i) => {
    assert.equal(slab.count(row, 0), i === 9 ? 256 : i + 1, `sum count of row ${i}`);
    assert.equal(slab.count(row, 1), i === 0 ? 70_000 : 255 - i, `max count of row ${i}`);
  });
  slab.incCount(rows[9] as number, 0);
  assert.equal(slab.count(rows[9] as number, 0), 257);
});

test('a segment longer than 2^31 − 1 ms widens the length column to doubles, keeping every row’s end', () => {
  const before = slabColumnBytes();
  const slab = new Slab([sumM], 64);
  const month = 31 * 86_400_000; // 2 678 400 000 ms > 2^31 − 1 = 2 147 483 647
  const T = 1_700_000_000_000;
  const a = slab.alloc(1, T, T + 60_000);
  const b = slab.alloc(2, T + 5, T + 2 ** 31 - 1 + 5); // the longest a 32-bit length holds
  assert.equal(slabColumnBytes() - before, 64 * 40, 'per row 34 + 6: nothing widened');
  const c = slab.alloc(3, T, T + month);
  assert.equal(slabColumnBytes() - before, 64 * 44, 'lengths widened: 4 bytes more per row');
  assert.deepEqual([a, b, c].map((r) => [slab.start[r], slab.endOf(r)]), [[T, T + 60_000], [T + 5, T + 2 ** 31 + 4], [T, T + month]]);
});

test('a mantissa past 32 bits widens its meter’s column to doubles, keeping every row exact', () => {
  const before = slabColumnBytes();
  const slab = new Slab([sumM, maxM, latestM], 64);
  const rows = Array.from({ length: 50 }, (_, i) => {
    const row = slab.alloc(100 + i, 0, 60_000);
    for (let m = 0; m < 3; m++) slab.openCell(row, m);
    slab.addSmall(row, 0, -(2 ** 31) + i, 0); // −2^31 + i: still 32-bit
    slab.setX(row, 1, { m: BigInt(2 ** 31 - 1 - i), s: 1 }, 0); // (2^31 − 1 − i) / 10: 32-bit
    slab.setX(row, 2, { m: BigInt(i), s: 0 }, i);
    return row;
  });
  assert.equal(slabColumnBytes() - before, 64 * 60, 'nothing widened yet');
  slab.addSmall(rows[7] as number, 0, -1, 0); // −2^31 + 7 − 1: fits
  slab.addSmall(rows[3] as number, 0, -4, 0); // −2^31 + 3 − 4 = −2^31 − 1: past 32 bits
  assert.equal(slabColumnBytes() - before, 64 * 64, 'sum widened: 4 bytes more per row');
  slab.setX(rows[5] as number, 1, { m: 2n ** 31n, s: 1 }, 0); // 2^31 / 10: past 32 bits
  slab.setX(rows[6] as number, 2, { m: 2n ** 60n, s: 0 }, 6); // over 2^53: side table, NaN
  assert.equal(slabColumnBytes() - before, 64 * 72, 'max and latest widened');
  rows.forEach((row, i) => {
    const sum = i === 3 ? -(2 ** 31) - 1 : i === 7 ? -(2 ** 31) + 6 : -(2 ** 31) + i;
    assert.equal(formatFixed(slab.sum(row, 0)), String(sum), `sum of row ${i}`);
    const max = i === 5 ? 2n ** 31n : BigInt(2 ** 31 - 1 - i);
    assert.deepEqual(slab.x(row, 1), { m: max, s: 1 }, `max of row ${i}`);
    assert.deepEqual(slab.x(row, 2), { m: i === 6 ? 2n ** 60n : BigInt(i), s: 0 }, `latest of row ${i}`);
  });
  // A widened column grows like the others.
  for (let i = 0; i < 20; i++) slab.alloc(2, 0, 1);
  assert.equal(slabColumnBytes() - before, 96 * 72);
  assert.equal(formatFixed(slab.sum(rows[3] as number, 0)), String(-(2 ** 31) - 1));
});
