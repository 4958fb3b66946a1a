// Redis keys of dedup claims (pipeline/aggregate/dedup.ts) must never change across versions:
// a claim written by the previous version must be found by the next, or a sample replayed
// across an upgrade would count twice. Expected bytes from the published SHA-256 test vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupKey } from '../../../pipeline/aggregate/dedup.js';

test('a claim key is the prefix then the first 16 bytes of sha256(id)', () => {
  // FIPS 180-2: sha256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad.
  assert.equal(dedupKey('ml:d:', 'abc').toString('hex'), `${Buffer.from('ml:d:').toString('hex')}ba7816bf8f01cfea414140de5dae2223`);
  // sha256("") = e3b0c442 98fc1c14 9afbf4c8 996fb924 27ae41e4 649b934c a495991b 7852b855; a non-ASCII prefix as UTF-8.
  assert.equal(dedupKey('é:', '').toString('hex'), 'c3a93ae3b0c44298fc1c149afbf4c8996fb924');
});
