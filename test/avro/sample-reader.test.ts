// The hand Sample reader (avro/sample-reader.ts) against avsc + parseSample: for thousands of
// generated records — unicode, empty and over-long strings, nulls, big and negative numbers,
// maps of many entries, values parseSample refuses — and damaged bytes, decoding through the
// serde must give exactly what avsc's decode followed by recordToSample gives (the same Sample,
// key order included, or the same refusal), in both framings. The reference is avsc's own
// record, read without the serde, so an agreement is not the reader checking itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainSerde, registrySerde, type AvroSerde, type RegistryClient } from '../../avro/serde.js';
import { recordToSample, type SampleRecord } from '../../avro/records.js';
import { CheckedSampleRecord } from '../../avro/sample-reader.js';
import { currentSchema } from '../../avro/schemas.js';
import { rng } from '../e2e/workload.js'; // mulberry32: a failure names a reproducible record
import { long, text } from './avro-values.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const DECIMALS = ['0', '1', '60', '12.5', '-3', '-0', '00', '007.50', '0.0', '123456789012345678901234567890', '-99999999999999999999.000001', '9007199254740993', '1e5', '1E-3', '-1e+400', '1.', '.5', '-', '+1', ' 1', '1 ', 'abc', '', '1.2.3', '٣'];
const NAMES = ['cpu_util_pct', 'net_tx_bytes', 'disk_extra_gb', 'public_ips', 'power_on', 'http_requests', '', '__proto__', 'constructor', '0', '12', 'é', 'x'.repeat(200), 'x'.repeat(201), '😀'.repeat(100), '😀'.repeat(101)];

function record(r: () => number): SampleRecord {
  const ascii = (): string => `id-${Math.floor(r() * 1e9)}`;
  const str = (): string => (r() < 0.6 ? ascii() : r() < 0.5 ? pick(r, ['', 'x'.repeat(256), 'x'.repeat(257), 'é'.repeat(256), '😀'.repeat(128), '😀'.repeat(129)]) : text(r));
  const decimal = (): string => (r() < 0.8 ? pick(r, DECIMALS) : text(r));
  const map = (n: number, key: () => string, value: () => string): Record<string, string> => {
    const m: Record<string, string> = {};
    for (let i = 0; i < n; i++) m[key()] = value();
    return m;
  };
  const size = r() < 0.05 ? Math.floor(r() * 300) : Math.floor(r() * 8);
  return {
    id: str(),
    server_id: str(),
    ts: r() < 0.6 ? 1790812800000 + Math.floor(r() * 1e9) : r() < 0.5 ? pick(r, [0, -1, 253402300799999, 253402300800000]) : long(r),
    interval_s: r() < 0.5 ? null : decimal(),
    metrics: map(size, () => (r() < 0.7 ? pick(r, NAMES.slice(0, 6)) : r() < 0.5 ? pick(r, NAMES) : text(r)), () => (r() < 0.7 ? pick(r, ['12.5', '0', '1', '123456789000', '-4.25']) : decimal())),
    labels: map(Math.floor(r() * 4), () => (r() < 0.5 ? pick(r, ['region', 'rack', '']) : text(r)), () => (r() < 0.5 ? pick(r, ['eu-1', 'us-2', '']) : text(r))),
  };
}

/** Values the reader takes as they are (an exponent or a space it leaves to parseSample). */
const plain = (rec: SampleRecord): boolean =>
  Object.values(rec.metrics).every((v) => /^-?\d+(\.\d+)?$/.test(v)) && (rec.interval_s === null || /^\d+(\.\d+)?$/.test(rec.interval_s));

/** What the full path gives: avsc's record (no serde), then recordToSample; 'error' when avsc refuses. */
function reference(body: Buffer): unknown {
  try {
    return recordToSample(currentSchema('sample').type.fromBuffer(body));
  } catch {
    return 'error';
  }
}

async function throughSerde(serde: AvroSerde, value: Buffer): Promise<{ result: unknown; byHand: boolean }> {
  try {
    const rec = await serde.decode('sample', 'metrics.raw', value);
    return { result: recordToSample(rec), byHand: rec instanceof CheckedSampleRecord };
  } catch {
    return { result: 'error', byHand: false };
  }
}

/** Equal, and equal as JSON too (which sees the maps' key order). */
function assertSame(got: unknown, want: unknown, what: string): void {
  assert.deepStrictEqual(got, want, what);
  assert.equal(JSON.stringify(got), JSON.stringify(want), `${what} (key order)`);
}

const registry: RegistryClient = {
  register: async () => 0x01020304,
  getBySubjectAndId: async () => ({ schema: currentSchema('sample').text }),
};

for (const [name, serde, headBytes] of [
  ['single-object', plainSerde(), 10],
  ['confluent', registrySerde(registry), 5],
] as [string, AvroSerde, number][]) {
  test(`${name}: 4 000 generated records decode as avsc + parseSample decode them`, async () => {
    const r = rng(name.length * 104729);
    let byHand = 0;
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const rec = record(r);
      const value = await serde.encode('sample', 'metrics.raw', rec);
      const want = reference(value.subarray(headBytes));
      const got = await throughSerde(serde, value);
      assertSame(got.result, want, `record ${i}: ${JSON.stringify(rec).slice(0, 300)}`);
      if (got.byHand) byHand++;
      if ((want as { ok?: boolean }).ok === true && plain(rec)) accepted++;
    }
    // Not vacuous: valid records in the plain form are all read by hand (but the first
    // confluent one, which teaches the serde its schema id).
    assert.ok(accepted > 500, `only ${accepted} plain valid records generated`);
    assert.ok(byHand >= accepted - 1, `only ${byHand} of ${accepted} plain valid records read by hand`);
  });

  test(`${name}: damaged records (cut, extended, bytes changed) fail or decode exactly as avsc + parseSample`, async () => {
    const r = rng(name.length * 7);
    for (let i = 0; i < 3000; i++) {
      const good = await serde.encode('sample', 'metrics.raw', record(r));
      const body = Buffer.from(good.subarray(headBytes));
      let damaged: Buffer;
      const how = r();
      if (how < 0.3) damaged = body.subarray(0, Math.floor(r() * body.length));
      else if (how < 0.5) damaged = Buffer.concat([body, Buffer.from([Math.floor(r() * 256)])]);
      else {
        damaged = Buffer.from(body);
        for (let k = 0; k < 1 + Math.floor(r() * 3); k++) damaged[Math.floor(r() * damaged.length)] = Math.floor(r() * 256);
      }
      const value = Buffer.concat([good.subarray(0, headBytes), damaged]);
      assertSame((await throughSerde(serde, value)).result, reference(damaged), `record ${i} (${damaged.toString('hex').slice(0, 120)})`);
    }
  });
}

test('a record the agent wrote in the usual shape is read by hand into the Sample parseSample builds', async () => {
  const serde = plainSerde();
  const rec: SampleRecord = { id: 's-1', server_id: 'srv-0001', ts: 1790812860000, interval_s: '60', metrics: { cpu_util_pct: '12.5', net_tx_bytes: '123456789012345678901' }, labels: { region: 'eu-1' } };
  const decoded = await serde.decode('sample', 't', await serde.encode('sample', 't', rec));
  assert.ok(decoded instanceof CheckedSampleRecord);
  assert.deepStrictEqual({ ...decoded }, rec);
  assert.deepStrictEqual(recordToSample(decoded), {
    ok: true,
    sample: { id: 's-1', serverId: 'srv-0001', tsMs: 1790812860000, metrics: { cpu_util_pct: '12.5', net_tx_bytes: '123456789012345678901' }, labels: { region: 'eu-1' }, intervalS: '60' },
  });
});
