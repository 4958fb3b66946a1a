import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonExact, quoteInexactNumbers } from '../../../pipeline/ingest/json-exact.js';

test('numbers a double would change are kept as their source text', () => {
  // 2^64 − 1: a double rounds it to 18446744073709551616 (JSON.parse gives 18446744073709552000).
  assert.deepEqual(parseJsonExact('{"m":{"c":18446744073709551615}}'), { m: { c: '18446744073709551615' } });
  assert.deepEqual(parseJsonExact('[1e400, -1e400, 0.1000000000000000055511151231257827021181583404541015625]'), [
    '1e400', '-1e400', '0.1000000000000000055511151231257827021181583404541015625',
  ]);
});

test('exact numbers stay numbers; strings are never touched', () => {
  assert.deepEqual(parseJsonExact('{"a":12.5,"b":1234567890,"c":1e-9,"d":9007199254740991,"e":"18446744073709551615e5"}'), {
    a: 12.5, b: 1234567890, c: 1e-9, d: 9007199254740991, e: '18446744073709551615e5',
  });
  // A string holding an escaped quote followed by digits must not be re-quoted.
  const text = '{"s":"x\\"18446744073709551615","n":18446744073709551615}';
  assert.deepEqual(parseJsonExact(text), { s: 'x"18446744073709551615', n: '18446744073709551615' });
});

test('bodies without long digit runs or exponents are returned unchanged (fast path)', () => {
  const text = '[{"id":"a","metrics":{"x":1.25}}]';
  assert.equal(quoteInexactNumbers(text), text);
});
