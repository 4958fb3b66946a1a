// canonicalNumber: exact, and spelled the way JavaScript spells numbers. References: values
// worked by hand, String(double) for texts a double holds exactly, decimal.js for equality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { canonicalNumber } from '../../lib/number-text.js';

test('canonical spellings, worked by hand', () => {
  const cases: Array<[string, string]> = [
    ['9007199254740993', '9007199254740993'], // 2^53 + 1: a double would say ...992
    ['18446744073709551615', '18446744073709551615'], // 2^64 − 1
    ['1.50', '1.5'], ['2.0', '2'], ['-0', '0'], ['-0.000', '0'], ['0', '0'], ['-12.25', '-12.25'],
    ['0.000001', '0.000001'], ['0.0000001', '1e-7'], ['0.00000012300', '1.23e-7'],
    ['1E3', '1000'], ['1.5e-9', '1.5e-9'], ['12e+0', '12'],
    ['123456789012345678901', '123456789012345678901'], // 21 digits: still plain
    ['1234567890123456789012', '1.234567890123456789012e+21'], // 22 digits: exponent, every digit kept
    ['1e400', '1e+400'], ['-1e-400', '-1e-400'],
    ['0.1000000000000000055511151231257827021181583404541015625', '0.1000000000000000055511151231257827021181583404541015625'],
    ['1e99999999999', '1e99999999999'], // an exponent this long is left as written (the caller refuses it)
  ];
  for (const [token, want] of cases) assert.equal(canonicalNumber(token), want, token);
});

test('property: texts a double holds exactly are spelled as String(double) spells them', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
      const s = String(d);
      assert.equal(canonicalNumber(s), s === '-0' ? '0' : s);
    }),
    { numRuns: 5000 },
  );
});

test('property: any JSON number token keeps its exact value', () => {
  const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
  const token = fc
    .tuple(fc.boolean(), fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom('1', '5', '9'), digits(0, 30)).map(([a, b]) => a + b)),
      fc.option(digits(1, 30)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 500 }))))
    .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`);
  fc.assert(
    fc.property(token, (t) => {
      assert.ok(new Decimal(canonicalNumber(t)).equals(new Decimal(t)), t);
    }),
    { numRuns: 5000 },
  );
});
