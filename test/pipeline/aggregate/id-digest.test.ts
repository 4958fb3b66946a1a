// digestInto (id-digest.ts) against node:crypto's SHA-256, an independent implementation: ids of
// every length from 0 to 130 (the one-block limit is 55 bytes), ASCII and not, generated, plus
// the FIPS 180-4 example "abc" worked from its published digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DIGEST_BYTES, digestInto } from '../../../pipeline/aggregate/id-digest.js';
import { rng } from '../../e2e/workload.js';

const reference = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 2 * DIGEST_BYTES);
const ours = (id: string, at = 0): string => {
  const out = Buffer.alloc(at + DIGEST_BYTES + 3, 0xee);
  digestInto(id, out, at);
  // Nothing written outside [at, at + 16).
  assert.ok(out.subarray(0, at).every((b) => b === 0xee) && out.subarray(at + DIGEST_BYTES).every((b) => b === 0xee));
  return out.subarray(at, at + DIGEST_BYTES).toString('hex');
};

test('FIPS 180-4 example: SHA-256("abc") starts ba7816bf 8f01cfea 414140de 5dae2223', () => {
  assert.equal(ours('abc'), 'ba7816bf8f01cfea414140de5dae2223');
});

test('equals node:crypto for ids of every length around the one-block limit, ASCII or not, at any offset', () => {
  const r = rng(11);
  const alphabet = ['a', 'Z', '0', '-', ':', '~', '\u007f', 'é', '日', '😀'];
  for (let n = 0; n <= 130; n++) {
    for (let k = 0; k < 20; k++) {
      const ascii = k < 14;
      let id = '';
      for (let i = 0; i < n; i++) {
        const pool = ascii ? 7 : alphabet.length;
        id += r() < 0.5 && ascii ? String.fromCharCode(32 + Math.floor(r() * 95)) : (alphabet[Math.floor(r() * pool)] as string);
      }
      assert.equal(ours(id, k % 5), reference(id), `id ${JSON.stringify(id)}`);
    }
  }
});
