// Schema evolution: the next version of the sample schema adds an optional field with a
// default. Records written by v1 must read under v2 (the field takes its default) and records
// written by v2 must read under v1 (the field is skipped) — Avro's full compatibility.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentSchema, schemaVersion } from '../../avro/schemas.js';
import { frameSingleObject, parseFrame } from '../../avro/framing.js';

const v1 = currentSchema('sample');
const v2Schema = JSON.parse(v1.text) as { fields: unknown[] };
// Inserted in the middle, not appended: resolution is by name, and that is what is tested.
v2Schema.fields.splice(3, 0, { name: 'agent_version', type: ['null', 'string'], default: null });
const v2 = schemaVersion('sample', 2, JSON.stringify(v2Schema));

const rec1 = { id: 'a', server_id: 's1', ts: 1_790_812_810_000, interval_s: '60', metrics: { m: '1.5' }, labels: { dc: 'fra1' } };

test('the next version has a different fingerprint (so readers can tell the writers apart)', () => {
  assert.notEqual(v1.fingerprint.toString('hex'), v2.fingerprint.toString('hex'));
});

test('a v2 reader reads v1 records; the added field takes its default', () => {
  const buf = frameSingleObject(v1.fingerprint, v1.type.toBuffer(rec1));
  const frame = parseFrame(buf);
  assert.equal(frame.format, 'single-object');
  const read = v2.type.fromBuffer(frame.body, v2.type.createResolver(v1.type)) as Record<string, unknown>;
  assert.deepEqual({ ...read }, { ...rec1, agent_version: null });
});

test('a v1 reader reads v2 records; the unknown field is skipped, the rest intact', () => {
  const rec2 = { ...rec1, agent_version: 'agent/2.3', metrics: { m: '2', n: '0.001' } };
  const body = v2.type.toBuffer(rec2);
  const read = v1.type.fromBuffer(body, v1.type.createResolver(v2.type)) as Record<string, unknown>;
  assert.deepEqual({ ...read }, { ...rec1, metrics: { m: '2', n: '0.001' } });
});

test('a field added without a default is not backward compatible: resolution refuses it', () => {
  const bad = JSON.parse(v1.text) as { fields: unknown[] };
  bad.fields.push({ name: 'must_have', type: 'string' });
  const v2bad = schemaVersion('sample', 2, JSON.stringify(bad));
  assert.throws(() => v2bad.type.createResolver(v1.type), /must_have|incompatible|no matching/i);
});
