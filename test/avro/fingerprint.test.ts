import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc64Avro, fingerprintBytes } from '../../avro/fingerprint.js';
import { currentSchema } from '../../avro/schemas.js';

// Reference values computed independently with fastavro (Python):
//   fastavro.schema.fingerprint('"int"', 'CRC-64-AVRO')  → '8f5c393f1ad57572'  (bytes, little-endian)
//   fastavro.schema.fingerprint('"null"', 'CRC-64-AVRO') → '8a8f25cce724dd63'
//   to_parsing_canonical_form(avro/sample.avsc) and its fingerprint → '0c3b2b60bbc661f5'
test('CRC-64-AVRO matches an independent implementation', () => {
  assert.equal(fingerprintBytes('"int"').toString('hex'), '8f5c393f1ad57572');
  assert.equal(fingerprintBytes('"null"').toString('hex'), '8a8f25cce724dd63');
  assert.equal(crc64Avro(Buffer.from('"int"')), 0x7275d51a3f395c8fn);
});

test('the sample schema: Parsing Canonical Form and fingerprint as other Avro libraries compute them', () => {
  const s = currentSchema('sample');
  assert.equal(
    s.canonical,
    '{"name":"meterline.Sample","type":"record","fields":[{"name":"id","type":"string"},{"name":"server_id","type":"string"},' +
      '{"name":"ts","type":"long"},{"name":"interval_s","type":["null","string"]},{"name":"metrics","type":{"type":"map","values":"string"}},' +
      '{"name":"labels","type":{"type":"map","values":"string"}}]}',
  );
  assert.equal(s.fingerprint.toString('hex'), '0c3b2b60bbc661f5');
});
