// The number-keeping JSON reader. References: hand-written values, and JSON.parse itself for
// structure and for which texts are JSON at all (numbers compared through their text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_JSON_DEPTH, parseJsonExact, type JsonValue } from '../../lib/json-exact.js';
import { NumberText } from '../../lib/number-text.js';

const N = (text: string) => new NumberText(text);

/** NumberText → Number, to compare with JSON.parse where the numbers are doubles anyway. */
function asDoubles(v: JsonValue): unknown {
  if (v instanceof NumberText) return Number(v.text);
  if (Array.isArray(v)) return v.map(asDoubles);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: asDoubles(v[k]!), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

test('every number keeps its source text, however many digits', () => {
  // 2^53 + 1 = 9007199254740993: JSON.parse gives 9007199254740992 (the example)
  assert.deepEqual(parseJsonExact('{"pkts":9007199254740993}'), { pkts: N('9007199254740993') });
  // 2^64 − 1, an exponent beyond a double, and the exact binary value of 0.1
  assert.deepEqual(parseJsonExact('[18446744073709551615, 1e400, -1E-400, 0.1000000000000000055511151231257827021181583404541015625, 0, -0, 12.50]'), [
    N('18446744073709551615'), N('1e400'), N('-1E-400'), N('0.1000000000000000055511151231257827021181583404541015625'), N('0'), N('-0'), N('12.50'),
  ]);
});

test('strings, escapes, literals and nesting read as JSON.parse reads them', () => {
  assert.deepEqual(parseJsonExact(' {"s":"a\\"b\\\\c\\/\\u00e9\\n","t":true,"f":false,"z":null,"a":[[],{}]} '), {
    s: 'a"b\\c/é\n', t: true, f: false, z: null, a: [[], {}],
  });
  // a string holding digits is never a number; the last of repeated keys wins
  assert.deepEqual(parseJsonExact('{"k":"18446744073709551615","k2":1,"k2":2}'), { k: '18446744073709551615', k2: N('2') });
  // "__proto__" is an own property, as with JSON.parse, and never sets the prototype
  const o = parseJsonExact('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.deepEqual(Object.keys(o), ['__proto__']);
});

test('strings with and without escapes, in keys and values, empty or escape-only', () => {
  // written by hand: "" is empty; "\\n" is one newline; escapes at the start, middle and end
  assert.deepEqual(parseJsonExact('{"":"","\\n":"\\t","k\\"ey":"ab\\u0041cd\\\\","x":"\\/","n":7}'), {
    '': '', '\n': '\t', 'k"ey': 'abAcd\\', x: '/', n: N('7'),
  });
  // a number right against the closing brace or bracket keeps exactly its own text
  assert.deepEqual(parseJsonExact('[{"a":-12.5e+3},9007199254740993]'), [{ a: N('-12.5e+3') }, N('9007199254740993')]);
});

test('property: strings of any characters (escaped controls, quotes, backslashes, astral) read as JSON.parse reads them', () => {
  const str = fc.string({ unit: 'binary', maxLength: 40 });
  fc.assert(
    fc.property(fc.dictionary(str, fc.oneof(str, fc.array(str, { maxLength: 4 }))), (v) => {
      const text = JSON.stringify(v);
      assert.deepEqual(parseJsonExact(text), JSON.parse(text));
    }),
    { numRuns: 2000 },
  );
});

test('malformed JSON is refused with the position', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"a":01}', /position 6/],
    ['{"a":1.}', /position 6/],
    ['{"a":1.}', /position 6/],
    ['{"a":-}', /position 5/],
    ['{"a":NaN}', /position 5/],
    ['{"a":Infinity}', /position 5/],
    ['{"a":1.}', /position 6/],
    ['{"a" 1}', /position 5/],
    ['[1 2]', /position 3/],
    ['{"a":"x\ty"}', /control character/],
    ['{"a":"\\x"}', /bad escape/],
    ['{"a":"\\u12"}', /bad \\u escape/],
    ['{"a":"abc', /end of JSON input/],
    ['{"a":1} x', /position 8/],
    ['', /end of JSON input/],
    ['tru', /position 0/],
  ];
  for (const [text, why] of cases) assert.throws(() => parseJsonExact(text), why, text);
});

test(`nesting deeper than ${MAX_JSON_DEPTH} is refused, not a stack overflow`, () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.doesNotThrow(() => parseJsonExact(deep(MAX_JSON_DEPTH)));
  assert.throws(() => parseJsonExact(deep(MAX_JSON_DEPTH + 1)), /nested deeper than/);
  assert.throws(() => parseJsonExact(deep(100_000)), /nested deeper than/);
});

test('property: any JSON text reads as JSON.parse reads it (numbers through their text)', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), (v, pretty) => {
      const text = JSON.stringify(v, null, pretty ? 2 : undefined);
      assert.deepEqual(asDoubles(parseJsonExact(text)), JSON.parse(text));
    }),
    { numRuns: 2000 },
  );
});

test('property: a text is refused exactly when JSON.parse refuses it', () => {
  const alphabet = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '9', '-', '+', '.', 'e', 'E', ' ', 'true', 'null', 'a', '\n');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), (text) => {
      let refused = false;
      try {
        JSON.parse(text);
      } catch {
        refused = true;
      }
      assert.equal(throws(() => parseJsonExact(text)), refused, text);
    }),
    { numRuns: 20_000 },
  );
});

function throws(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}
