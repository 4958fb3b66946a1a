// FixedSum takes safe-integer addends as doubles (addSmall) and spills into a BigInt before
// the double total could round. Reference: the plain BigInt sum of the same addends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FixedSum, formatFixed, pow10 } from '../../../pipeline/aggregation/fixed.js';

/** Σ m·10^-s exactly, as (mantissa, scale) at the largest scale seen. */
function reference(addends: Array<[bigint, number]>): { m: bigint; s: number } {
  const s = addends.reduce((x, [, k]) => Math.max(x, k), 0);
  return { m: addends.reduce((acc, [m, k]) => acc + m * pow10(s - k), 0n), s };
}

test('FixedSum: near 2^53 the double part spills into the BigInt, exactly', () => {
  const sum = new FixedSum();
  const big = Number.MAX_SAFE_INTEGER; // 2^53 − 1
  sum.addSmall(big, 0);
  sum.addSmall(big, 0); // 2^54 − 2: not a safe integer, so it must spill
  sum.addSmall(3, 0);
  assert.equal(formatFixed(sum.value()), (2n * BigInt(big) + 3n).toString()); // 18014398509481985
});

test('FixedSum: addSmall and add of any mix of scales give the BigInt reference sum', () => {
  const safe = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52, 10 ** 15));
  const addend = fc.tuple(safe, fc.integer({ min: 0, max: 12 }), fc.boolean());
  fc.assert(
    fc.property(fc.array(addend, { maxLength: 40 }), (xs) => {
      const sum = new FixedSum();
      for (const [n, s, asBig] of xs) {
        if (asBig) sum.add(BigInt(n), s);
        else sum.addSmall(n, s);
      }
      const want = reference(xs.map(([n, s]): [bigint, number] => [BigInt(n), s]));
      const got = sum.value();
      // same value (and the same scale, so formatting downstream cannot differ)
      assert.equal(got.s, xs.length === 0 ? 0 : want.s);
      assert.equal(got.m, want.m);
    }),
    { numRuns: 3000 },
  );
});
