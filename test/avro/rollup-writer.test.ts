// The hand-written RollupPart writer (avro/rollup-writer.ts) against avsc through the serde:
// for many generated parts its framed bytes must equal `serde.encode('rollup', …)` exactly,
// for both framings (the registry's schema id, the fingerprint). The reference is avsc, a
// separate implementation of the schema, so an agreement is not the writer checking itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainSerde, registrySerde, type AvroSerde, type RegistryClient } from '../../avro/serde.js';
import { rollupToRecord, recordToRollup } from '../../avro/records.js';
import { RollupWriter } from '../../avro/rollup-writer.js';
import { isKind } from '../../lib/errors.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { rng } from '../e2e/workload.js'; // mulberry32: a failure names a reproducible part
import { long, text } from './avro-values.js';

function part(r: () => number): RollupPart {
  const maybe = <T>(f: () => T): T | undefined => (r() < 0.5 ? f() : undefined);
  const p: RollupPart = {
    partId: text(r),
    serverId: text(r),
    meter: text(r),
    windowStartMs: long(r),
    windowEndMs: long(r),
    correction: r() < 0.5,
    state: { count: Math.abs(long(r)), sum: text(r) },
  };
  const max = maybe(() => text(r));
  if (max !== undefined) p.state.max = max;
  const min = maybe(() => text(r));
  if (min !== undefined) p.state.min = min;
  const latest = maybe(() => text(r));
  if (latest !== undefined) {
    p.state.latest = latest;
    p.state.latestTsMs = long(r);
  }
  if (r() < 0.4) p.state.distinct = Array.from({ length: Math.floor(r() * (r() < 0.1 ? 200 : 4)) }, () => text(r));
  if (r() < 0.8) {
    const partition = r() < 0.2 ? [0, 2 ** 31 - 1, -(2 ** 31), 63, 64][Math.floor(r() * 5)] as number : Math.floor(r() * 1000);
    p.source = { topic: text(r), partition, firstOffset: text(r), lastOffset: text(r) };
  }
  return p;
}

/** A registry that hands out one fixed id (big-endian bytes 01 02 03 04 on the wire). */
const registry: RegistryClient = {
  register: async () => 0x01020304,
  getBySubjectAndId: () => Promise.reject(new Error('not used')),
};

for (const [name, serde] of [
  ['single-object', plainSerde()],
  ['confluent', registrySerde(registry)],
] as [string, AvroSerde][]) {
  test(`${name}: the writer's bytes equal avsc's for 3 000 generated parts`, async () => {
    const r = rng(name.length * 7919);
    // Tiny to start with, so growing the buffer mid-record is exercised too.
    const writer = new RollupWriter(8);
    const head = await serde.head?.('rollup', 'usage.rollups');
    assert.ok(head, 'the serde gives its frame');
    let previous: RollupPart | undefined;
    for (let i = 0; i < 3000; i++) {
      const p = part(r);
      // As the aggregator emits them: a window's parts one per meter of the same server, meters
      // and the topic recurring, a part of one sample ending where it starts (equal, not the
      // same string) — the writer reuses bytes it wrote for those.
      if (previous !== undefined && r() < 0.5) p.serverId = previous.serverId;
      if (previous !== undefined && r() < 0.5) p.meter = previous.meter;
      if (p.source && previous?.source && r() < 0.5) p.source.topic = previous.source.topic;
      if (p.source && r() < 0.4) p.source.lastOffset = `${p.source.firstOffset}`.split('').join('');
      previous = p;
      const expected = await serde.encode('rollup', 'usage.rollups', rollupToRecord(p));
      const got = writer.write(head, p);
      if (!got.equals(expected)) assert.fail(`part ${i} differs: ${JSON.stringify(p).slice(0, 300)}`);
    }
  });
}

test('the frame carries the registry id; the bytes read back as the part', async () => {
  const head = (await registrySerde(registry).head?.('rollup', 't')) as Buffer;
  assert.equal(head.toString('hex'), '0001020304');
  const p: RollupPart = {
    partId: 'metrics.raw:3:1234:cpu:1790812800000',
    serverId: 'srv-ü',
    meter: 'cpu',
    windowStartMs: 1790812800000,
    windowEndMs: 1790812860000,
    correction: true,
    state: { count: 2, sum: '-12.5', latest: '3', latestTsMs: 1790812801000, distinct: ['a', 'b'] },
    source: { topic: 'metrics.raw', partition: 3, firstOffset: '1234', lastOffset: '1300' },
  };
  const plain = plainSerde();
  const bytes = Buffer.from(new RollupWriter().write((await plain.head?.('rollup', 't')) as Buffer, p));
  assert.deepEqual(recordToRollup(await plain.decode('rollup', 't', bytes)), p);
});

test('a view is overwritten by the next write (callers copy what they keep)', async () => {
  const head = (await plainSerde().head?.('rollup', 't')) as Buffer;
  const w = new RollupWriter();
  const base: RollupPart = { partId: 'a', serverId: 's', meter: 'm', windowStartMs: 0, windowEndMs: 1, correction: false, state: { count: 1, sum: '1' } };
  const first = w.write(head, base);
  const copy = Buffer.from(first);
  w.write(head, { ...base, partId: 'b' });
  assert.notDeepEqual([...first], [...copy]);
});

test('a part avsc would refuse is refused with the field named, as serde.encode does', async () => {
  const head = (await plainSerde().head?.('rollup', 't')) as Buffer;
  const bad = { partId: 'a', serverId: 's', meter: 'm', windowStartMs: 0, windowEndMs: 1.5, correction: false, state: { count: 1, sum: '1' } } as RollupPart;
  assert.throws(
    () => new RollupWriter().write(head, bad),
    (e: unknown) => isKind(e, 'validation') && /window_end/.test((e as Error).message),
  );
});
