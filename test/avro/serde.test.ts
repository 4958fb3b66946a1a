import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainSerde, registrySerde, type RegistryClient } from '../../avro/serde.js';
import { currentSchema } from '../../avro/schemas.js';
import { recordToSample, sampleToRecord, rollupToRecord, recordToRollup, deadLetterToRecord, recordToDeadLetter } from '../../avro/records.js';
import { isKind } from '../../lib/errors.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';

const sample: Sample = {
  id: '9f1c-1', serverId: 'srv-0001', tsMs: Date.UTC(2026, 9, 1, 0, 0, 10), intervalS: '60',
  // Values no double holds exactly: they must come back as the same text.
  metrics: { cpu_util_pct: '12.5', net_tx_bytes: '123456789012345678901234567890', x: '0.1000000000000000055511151231257827' },
  labels: { dc: 'fra1' },
};

test('single-object framing: C3 01, the 8-byte fingerprint, then the Avro body', async () => {
  const serde = plainSerde();
  const buf = await serde.encode('sample', 'metrics.raw', sampleToRecord(sample));
  assert.deepEqual([...buf.subarray(0, 2)], [0xc3, 0x01]);
  assert.equal(buf.subarray(2, 10).toString('hex'), '0c3b2b60bbc661f5');
  // The body is plain Avro binary: the first field is the id, a string = zig-zag length + bytes.
  assert.equal(buf[10], '9f1c-1'.length * 2);
  assert.equal(buf.subarray(11, 17).toString(), '9f1c-1');
  const back = recordToSample(await serde.decode('sample', 'metrics.raw', buf));
  assert.ok(back.ok);
  assert.deepEqual(back.sample, sample);
});

test('a sample without interval_s and labels round-trips as absent/empty', async () => {
  const serde = plainSerde();
  const s: Sample = { id: 'a', serverId: 's', tsMs: 5, metrics: { m: '1' }, labels: {} };
  const back = recordToSample(await serde.decode('sample', 't', await serde.encode('sample', 't', sampleToRecord(s))));
  assert.ok(back.ok);
  assert.deepEqual(back.sample, s);
});

test('decoding re-validates: a valid Avro record that is not a valid sample is rejected by name', async () => {
  const serde = plainSerde();
  const bad = { ...sampleToRecord(sample), metrics: { cpu: 'NaN' } };
  const r = recordToSample(await serde.decode('sample', 't', await serde.encode('sample', 't', bad)));
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /metrics\.cpu must be a finite number/);
});

test('encoding a record of the wrong shape names the field', async () => {
  await assert.rejects(plainSerde().encode('sample', 't', { ...sampleToRecord(sample), ts: 'yesterday' }), (err) => {
    assert.ok(isKind(err, 'validation'));
    assert.match((err as Error).message, /invalid field\(s\) ts/);
    return true;
  });
});

test('bad framing and unknown fingerprints are validation errors that say what they saw', async () => {
  const serde = plainSerde();
  await assert.rejects(serde.decode('sample', 't', Buffer.from('{"id":1}')), /expected Confluent wire format .* got bytes 7b226964/);
  const unknown = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 0xab), Buffer.from([0])]);
  await assert.rejects(serde.decode('sample', 't', unknown), /unknown schema fingerprint abababababababab/);
  const confluent = Buffer.from([0, 0, 0, 0, 7, 1, 2]);
  await assert.rejects(serde.decode('sample', 't', confluent), /Confluent wire format \(schema id 7\) but SCHEMA_REGISTRY_URL is not set/);
  // A truncated body.
  const good = await serde.encode('sample', 't', sampleToRecord(sample));
  await assert.rejects(serde.decode('sample', 't', good.subarray(0, good.length - 3)), (err) => isKind(err, 'validation'));
});

/** An in-memory registry: the ids it hands out and the subjects it was asked about are checked. */
function fakeRegistry() {
  const schemas: string[] = [];
  const calls: string[] = [];
  const client: RegistryClient = {
    async register(subject, info) {
      calls.push(`register ${subject}`);
      let id = schemas.indexOf(info.schema);
      if (id < 0) id = schemas.push(info.schema) - 1;
      return id + 100;
    },
    async getBySubjectAndId(subject, id) {
      calls.push(`get ${subject} ${id}`);
      const schema = schemas[id - 100];
      if (schema === undefined) throw Object.assign(new Error('Schema not found'), { status: 404 });
      return { schema };
    },
  };
  return { client, calls };
}

test('Confluent wire format: magic 0, 4-byte big-endian id, body; subject <topic>-value; ids cached', async () => {
  const { client, calls } = fakeRegistry();
  const serde = registrySerde(client);
  const a = await serde.encode('sample', 'p.metrics.raw', sampleToRecord(sample));
  const b = await serde.encode('sample', 'p.metrics.raw', sampleToRecord(sample));
  assert.deepEqual([...a.subarray(0, 5)], [0, 0, 0, 0, 100]);
  assert.deepEqual(a, b);
  assert.deepEqual(a.subarray(5), currentSchema('sample').type.toBuffer(sampleToRecord(sample)));
  const back = recordToSample(await serde.decode('sample', 'p.metrics.raw', a));
  assert.ok(back.ok);
  assert.deepEqual(back.sample, sample);
  await serde.decode('sample', 'p.metrics.raw', a);
  assert.deepEqual(calls, ['register p.metrics.raw-value', 'get p.metrics.raw-value 100']);
  // The registry reader still reads single-object records (e.g. from before a registry was set up).
  const plain = await plainSerde().encode('sample', 'p.metrics.raw', sampleToRecord(sample));
  assert.ok((recordToSample(await serde.decode('sample', 'p.metrics.raw', plain))).ok);
  // An id the registry does not know: a bad record (validation), not an outage.
  await assert.rejects(serde.decode('sample', 'p.metrics.raw', Buffer.from([0, 0, 0, 0, 9, 0])), (err) => isKind(err, 'validation'));
});

test('rollup parts and dead letters round-trip', async () => {
  const serde = plainSerde();
  const part: RollupPart = {
    partId: 'p1', serverId: 'srv-1', meter: 'bandwidth_out_gb', windowStartMs: 60_000, windowEndMs: 120_000, correction: true,
    state: { count: 3, sum: '1.000000001', max: '9', latest: '2', latestTsMs: 119_999, distinct: ['a', 'b'] },
    source: { topic: 'metrics.raw', partition: 2, firstOffset: '9007199254740993', lastOffset: '9007199254740999' },
  };
  assert.deepEqual(recordToRollup(await serde.decode('rollup', 't', await serde.encode('rollup', 't', rollupToRecord(part)))), part);
  const minimal: RollupPart = { ...part, correction: false, state: { count: 0, sum: '0' } };
  delete minimal.source;
  assert.deepEqual(recordToRollup(await serde.decode('rollup', 't', await serde.encode('rollup', 't', rollupToRecord(minimal)))), minimal);
  const dl = { original: Buffer.from([0xff, 0x00, 0x7b]), reason: 'invalid UTF-8', source: 'http', receivedAtMs: 1, index: 4, apiKeyId: 'key_1' };
  assert.deepEqual(recordToDeadLetter(await serde.decode('dlq', 't', await serde.encode('dlq', 't', deadLetterToRecord(dl)))), dl);
});
