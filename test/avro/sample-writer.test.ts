// The hand-written Sample writer (avro/sample-writer.ts) against avsc through the serde: for
// many generated samples its framed bytes must equal `serde.encode('sample', …)` exactly, for
// both framings. avsc is a separate implementation of the schema, so agreement is not the
// writer checking itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainSerde, registrySerde, type AvroSerde, type RegistryClient } from '../../avro/serde.js';
import { recordToSample, sampleToRecord } from '../../avro/records.js';
import { encodeSamples } from '../../avro/sample-writer.js';
import { isKind } from '../../lib/errors.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import { rng } from '../e2e/workload.js'; // mulberry32: a failure names a reproducible sample
import { long, text } from './avro-values.js';

/** Exact decimals as agents send them, including ones no double holds. */
const DECIMALS = ['0', '-0', '12.5', '1234567890', '18446744073709551617', '-99999999999999999999999.000000000000000001', '1e-30', '0.1'];

function map(r: () => number, valueOf: () => string): Record<string, string> {
  const m: Record<string, string> = {};
  // Empty maps, one entry, a few, and (rarely) past a one-byte count of entries.
  const n = r() < 0.15 ? 0 : r() < 0.05 ? 70 + Math.floor(r() * 200) : 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) m[r() < 0.1 ? String(i) : text(r)] = valueOf();
  return m;
}

function sample(r: () => number): Sample {
  const s: Sample = {
    id: text(r),
    serverId: text(r),
    tsMs: long(r),
    metrics: map(r, () => (r() < 0.6 ? (DECIMALS[Math.floor(r() * DECIMALS.length)] as string) : text(r))),
    labels: map(r, () => text(r)),
  };
  if (r() < 0.5) s.intervalS = r() < 0.5 ? '60' : text(r);
  return s;
}

const registry: RegistryClient = {
  register: async () => 0x7f000102,
  getBySubjectAndId: () => Promise.reject(new Error('not used')),
};

for (const [name, serde] of [
  ['single-object', plainSerde()],
  ['confluent', registrySerde(registry)],
] as [string, AvroSerde][]) {
  test(`${name}: the writer's bytes equal avsc's for 4 000 generated samples, written in batches`, async () => {
    const r = rng(name.length * 104_729);
    const head = await serde.head?.('sample', 'metrics.raw');
    assert.ok(head, 'the serde gives its frame');
    for (let batch = 0; batch < 100; batch++) {
      const samples = Array.from({ length: 1 + Math.floor(r() * 80) }, () => sample(r));
      const got = encodeSamples(head, samples);
      assert.equal(got.length, samples.length);
      for (let i = 0; i < samples.length; i++) {
        const expected = await serde.encode('sample', 'metrics.raw', sampleToRecord(samples[i] as Sample));
        if (!(got[i] as Buffer).equals(expected)) assert.fail(`batch ${batch} sample ${i} differs: ${JSON.stringify(samples[i]).slice(0, 300)}`);
      }
    }
  });
}

test('the values of one call stay as written (the buffer grows, is never reused) and read back as the samples', async () => {
  const serde = plainSerde();
  const head = (await serde.head?.('sample', 't')) as Buffer;
  // 300 samples of ~2 KB each (40 metrics): far past the first guess of the buffer, so it grows mid-batch.
  const metrics = Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`metric_${k}_${'m'.repeat(20)}`, `${k}23456789012345678901234567890.5`]));
  const samples: Sample[] = Array.from({ length: 300 }, (_, i) => ({
    id: `id-${i}`,
    serverId: `srv-ü-${i}`,
    tsMs: 1_790_812_800_000 + i,
    intervalS: '60',
    metrics,
    labels: { dc: 'fra-1' },
  }));
  const values = encodeSamples(head, samples);
  const again = encodeSamples(head, [{ ...samples[0], id: 'other' } as Sample]); // a later call writes elsewhere
  assert.equal(again.length, 1);
  for (let i = 0; i < samples.length; i++) {
    const back = recordToSample(await serde.decode('sample', 't', values[i] as Buffer));
    assert.ok(back.ok, back.ok ? '' : back.reason);
    assert.deepEqual(back.sample, samples[i]);
  }
});

test('a sample avsc would refuse is refused with the field named, as serde.encode does', async () => {
  const head = (await plainSerde().head?.('sample', 't')) as Buffer;
  const good: Sample = { id: 'a', serverId: 's', tsMs: 0, metrics: { cpu: '1' }, labels: {} };
  const bad = { ...good, metrics: { cpu: '1', mem: 2 } } as unknown as Sample;
  assert.throws(() => encodeSamples(head, [good, bad]), (e: unknown) => isKind(e, 'validation') && /metrics/.test((e as Error).message));
  const badTs = { ...good, tsMs: 1.5 };
  assert.throws(() => encodeSamples(head, [badTs]), (e: unknown) => isKind(e, 'validation') && /\bts\b/.test((e as Error).message));
});
