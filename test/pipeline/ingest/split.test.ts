import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitJson, splitNdjson } from '../../../pipeline/ingest/split.js';

const texts = (r: ReturnType<typeof splitJson>) => (r.ok ? r.pieces.map((p) => p.bytes.toString('latin1')) : r.reason);

test('a JSON array splits into its elements, with their exact bytes', () => {
  const body = Buffer.from(' [ {"a":"x,]}"} ,\n{"b":[1,{"c":2}]},"s\\"]"]  ');
  assert.deepEqual(texts(splitJson(body, 10, true)), ['{"a":"x,]}"}', '{"b":[1,{"c":2}]}', '"s\\"]"']);
});

test('one object is one piece when allowed', () => {
  assert.deepEqual(texts(splitJson(Buffer.from('\ufeff {"a":1} '), 10, true)), ['{"a":1}']);
  assert.match(String(texts(splitJson(Buffer.from('{"a":1}'), 10, false))), /must be a JSON array/);
});

test('a broken element costs only itself; broken structure fails the body', () => {
  assert.deepEqual(texts(splitJson(Buffer.from('[{"a":1},{"a":NaN},,{"b":2}]'), 10, true)), ['{"a":1}', '{"a":NaN}', '', '{"b":2}']);
  assert.match(String(texts(splitJson(Buffer.from('[{"a":"x}]'), 10, true))), /ends inside a string/);
  assert.match(String(texts(splitJson(Buffer.from('[{"a":1}'), 10, true))), /ends inside the array/);
  assert.match(String(texts(splitJson(Buffer.from('[{"a":1}] x'), 10, true))), /data after the closing bracket at byte 10/);
  assert.match(String(texts(splitJson(Buffer.from('[}]'), 10, true))), /unbalanced bracket at byte 1/);
  assert.match(String(texts(splitJson(Buffer.from('[ ]'), 10, true))), /holds no samples/);
  assert.match(String(texts(splitJson(Buffer.from('  '), 10, true))), /empty/);
  assert.match(String(texts(splitJson(Buffer.from('"x"'), 10, true))), /must be a JSON array of samples or one sample object/);
});

test('invalid UTF-8 inside an element does not disturb splitting', () => {
  const body = Buffer.concat([Buffer.from('[{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"},{"b":1}]')]);
  const r = splitJson(body, 10, true);
  assert.ok(r.ok);
  assert.equal(r.pieces.length, 2);
  assert.deepEqual([...r.pieces[0]!.bytes.subarray(6, 8)], [0xff, 0xfe]);
});

test('the sample limit answers 413 as soon as it is crossed', () => {
  const r = splitJson(Buffer.from('[1,2,3]'), 2, true);
  assert.deepEqual(r, { ok: false, status: 413, reason: 'more than 2 samples in one request (METERLINE_MAX_BATCH_SAMPLES)' });
  assert.ok(splitJson(Buffer.from('[1,2]'), 2, true).ok);
  assert.equal(splitNdjson(Buffer.from('1\n2\n3\n'), 2).ok, false);
});

test('NDJSON: one piece per non-blank line, CRLF tolerated, indexes count samples', () => {
  const r = splitNdjson(Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n{"c":3'), 10);
  assert.ok(r.ok);
  assert.deepEqual(r.pieces.map((p) => [p.index, p.bytes.toString()]), [[0, '{"a":1}'], [1, '{"b":2}'], [2, '{"c":3']]);
  assert.equal(splitNdjson(Buffer.from('\n\n'), 10).ok, false);
});
