// The bad-sample corpus (test/api/bad-input/sample-cases.ts) as `meterline bill` lines: bill
// reads samples with the same parser as ingest, so each must be refused with the same reason —
// on the hand-scanned fast path's side too — except the ingest time window, which bill does not
// apply (SPEC §8: "bill reads history and has no such window").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRejection, parseLine } from '../../../rating/embedded/parse-line.js';
import { BAD_SAMPLES } from '../../api/bad-input/sample-cases.js';

for (const c of BAD_SAMPLES) {
  test(`bill line: ${c.name}`, () => {
    const result = parseLine(c.text);
    // a line holding a JSON array is the batch form (SPEC §2): one result per element
    const r = Array.isArray(result) && c.text.startsWith('[') ? result[0] : result;
    assert.ok(r !== undefined && !Array.isArray(r), 'one result for one sample');
    if (Array.isArray(result)) {
      // its element, a §2 object without server_id, is what is refused
      assert.ok(isRejection(r) && /^\[0\]: server_id/.test(r.reason), JSON.stringify(r));
      return;
    }
    if (c.cloudevent && !c.text.includes('specversion')) {
      // without specversion a line is a plain SPEC §2 sample (bill has no content type to say otherwise)
      assert.ok(isRejection(r) && /server_id/.test(r.reason), JSON.stringify(r));
      return;
    }
    if (c.code === 'window') {
      assert.equal(isRejection(r), false, 'bill has no time window: the sample is read');
      return;
    }
    assert.ok(isRejection(r), `refused: ${JSON.stringify(r)}`);
    // ingest words JSON errors "malformed JSON: …", bill "not JSON: …"; the detail is the same
    assert.match(r.reason.replace(/^not JSON: /, 'malformed JSON: '), c.reason);
  });
}
