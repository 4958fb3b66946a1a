import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../../../lib/decimal.js';
import { addFixed, cmpFixed, divFixed, formatFixed, formatSmall, mulFixed, parseFixed, subFixed } from '../../../pipeline/aggregation/fixed.js';

const f = (s: string): string => formatFixed(parseFixed(s));

test('parses every decimal form SPEC values take, exactly', () => {
  assert.equal(f('12.5'), '12.5');
  assert.equal(f('-3'), '-3');
  assert.equal(f('1e-9'), '0.000000001');
  assert.equal(f('1.5E+21'), '1500000000000000000000');
  assert.equal(f('.5'), '0.5');
  assert.equal(f('5.'), '5');
  assert.equal(f('+7'), '7');
  assert.equal(f('0.1000'), '0.1');
  assert.equal(f('-0'), '0');
  assert.equal(f('007'), '7');
  // beyond a double's 15–17 digits
  assert.equal(f('123456789012345678901234567890.123456789'), '123456789012345678901234567890.123456789');
  assert.equal(f('-9007199254740993.5'), '-9007199254740993.5');
});

test('rejects what is not a decimal, naming it', () => {
  for (const bad of ['', '-', '.', 'abc', '1.2.3', '1e', 'NaN', '0x10']) {
    assert.throws(() => parseFixed(bad), new RegExp(`not a decimal number: ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  }
});

test('add, subtract, multiply, compare are exact', () => {
  // 0.1 + 0.2 = 0.3 exactly (no binary float)
  assert.equal(formatFixed(addFixed(parseFixed('0.1'), parseFixed('0.2'))), '0.3');
  assert.equal(formatFixed(subFixed(parseFixed('1'), parseFixed('0.001'))), '0.999');
  assert.equal(formatFixed(mulFixed(parseFixed('1234567890'), parseFixed('1e-9'))), '1.23456789');
  assert.equal(cmpFixed(parseFixed('2.50'), parseFixed('2.5')), 0);
  assert.equal(cmpFixed(parseFixed('-1'), parseFixed('0.001')), -1);
  assert.equal(cmpFixed(parseFixed('10'), parseFixed('9.999')), 1);
});

test('divFixed rounds half-up to 60 significant digits, like lib/decimal.ts', () => {
  const div = (a: string, b: string): string => formatFixed(divFixed(parseFixed(a), parseFixed(b)));
  assert.equal(div('330', '3600'), `0.091${'6'.repeat(57)}7`); // 0.0916… = 2 + 57 + 1 significant digits, rounded up
  assert.equal(div('1', '8'), '0.125');
  assert.equal(div('-2', '3'), `-0.${'6'.repeat(59)}7`); // ties and halves away from zero
  assert.equal(div('5e-61', '1'), '0.0000000000000000000000000000000000000000000000000000000000005');
  assert.equal(div('1e70', '0.5'), `2${'0'.repeat(70)}`);
  assert.throws(() => div('1', '0'), /division by zero/);
  const dec = fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.nat(30)).map(([m, s]) => `${m}e-${s}`);
  fc.assert(fc.property(dec, dec, (a, b) => {
    fc.pre(!new Decimal(b).isZero());
    assert.equal(div(a, b), new Decimal(a).div(b).toFixed());
  }), { numRuns: 500 });
});

test('formatFixed drops only fraction zeros', () => {
  assert.equal(formatFixed({ m: 1200n, s: 0 }), '1200');
  assert.equal(formatFixed({ m: 1200n, s: 1 }), '120');
  assert.equal(formatFixed({ m: 1200n, s: 3 }), '1.2');
  assert.equal(formatFixed({ m: 1200n, s: 6 }), '0.0012');
  assert.equal(formatFixed({ m: -5n, s: 2 }), '-0.05');
  assert.equal(formatFixed({ m: 0n, s: 5 }), '0');
  assert.equal(formatFixed({ m: 10n, s: 1 }), '1');
});

test('formatSmall (a safe-integer mantissa, no BigInt) writes what decimal.js writes', () => {
  assert.equal(formatSmall(0, 7), '0');
  assert.equal(formatSmall(-0, 0), '0');
  assert.equal(formatSmall(1200, 3), '1.2');
  assert.equal(formatSmall(-5, 2), '-0.05');
  assert.equal(formatSmall(Number.MAX_SAFE_INTEGER, 0), '9007199254740991');
  assert.equal(formatSmall(-Number.MAX_SAFE_INTEGER, 20), '-0.00009007199254740991');
  const safe = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).filter((n) => n !== 0);
  fc.assert(fc.property(safe, fc.nat(25), (n, s) => assert.equal(formatSmall(n, s), new Decimal(`${n}e-${s}`).toFixed())), { numRuns: 2000 });
});

test('divFixed of small mantissas (digits counted without text) agrees with decimal.js', () => {
  const div = (a: string, b: string): string => formatFixed(divFixed(parseFixed(a), parseFixed(b)));
  // Around powers of ten, where a digit count is off by one if it is ever wrong.
  for (const a of ['9', '10', '99', '100', '999999999999999', '1000000000000000', '9007199254740991', '9007199254740993'])
    for (const b of ['1', '3', '9', '10', '11', '3600', '86400', '0.7'])
      assert.equal(div(a, b), new Decimal(a).div(b).toFixed(), `${a} / ${b}`);
  const small = fc.tuple(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.nat(12)).map(([m, s]) => `${m}e-${s}`);
  fc.assert(fc.property(small, small, (a, b) => {
    fc.pre(!new Decimal(b).isZero());
    assert.equal(div(a, b), new Decimal(a).div(b).toFixed());
  }), { numRuns: 2000 });
});
