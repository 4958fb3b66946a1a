// One slice through applySlice with the synchronous decode (decode-slice.ts): records the hand
// reader accepts are read without serde.decode, the ones it declines go through decode, and the
// outcome — samples counted in input order, dead letters, parts, consumed offset — is what the
// all-async path gives (a serde without readSample: the path before) and what is worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { plainSerde, registrySerde, type AvroSerde, type RegistryClient } from '../../../avro/serde.js';
import type { SampleRecord } from '../../../avro/records.js';
import { currentSchema } from '../../../avro/schemas.js';
import { createLogger } from '../../../observability/log.js';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { partOf, type PartView } from '../../../pipeline/aggregation/part-sink.js';
import { applySlice } from '../../../pipeline/aggregate/apply-slice.js';
import type { DeadRecord, PartitionOwner } from '../../../pipeline/aggregate/owner.js';
import { memoryDedup } from './fake-dedup.js';
import { meter, T0, MIN } from '../aggregation/helpers.js';

const TOPIC = 'metrics.raw';
const S = 1000;

const rec = (id: string, server: string, sec: number, r: string): SampleRecord => ({ id, server_id: server, ts: T0 + sec * S, interval_s: null, metrics: { r }, labels: {} });

/** What the owner was handed. */
interface Handed {
  dead: { key: string | null; reason: string; original: string; offset: string }[];
  parts: RollupPart[];
  consumed: [number, string][];
}

function recordingOwner(): { owner: PartitionOwner; got: Handed } {
  const got: Handed = { dead: [], parts: [], consumed: [] };
  const owner = {
    partition: 0,
    deadLetter: (d: DeadRecord) =>
      got.dead.push({ key: d.key?.toString() ?? null, reason: d.letter.reason, original: d.letter.original.toString('hex'), offset: d.letter.origin?.offset ?? '' }),
    emittedView: (v: PartView) => got.parts.push(partOf(v)),
    consumed: (count: number, next: string) => got.consumed.push([count, next]),
  } as unknown as PartitionOwner;
  return { owner, got };
}

/** Counts serde.decode calls; `hand` false hides readSample (every record through decode, as before). */
function counting(base: AvroSerde, hand: boolean): { serde: AvroSerde; decodes: () => number } {
  let n = 0;
  const serde: AvroSerde = {
    format: base.format,
    encode: (k, t, r) => base.encode(k, t, r),
    decode: (k, t, v) => (n++, base.decode(k, t, v)),
  };
  if (hand && base.readSample) serde.readSample = base.readSample.bind(base);
  return { serde, decodes: () => n };
}

async function run(serde: AvroSerde, messages: KafkaMessage[]): Promise<{ ok: boolean; got: Handed }> {
  const agg = new Aggregator({ meters: [meter('req', 'r', 'delta', 'sum')], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const { owner, got } = recordingOwner();
  const deps = { agg, serde, dedup: memoryDedup(), log: createLogger('silent'), current: () => true, lose: () => assert.fail('partition lost') };
  const ok = await applySlice(deps, owner, { topic: TOPIC, partition: 0, messages, lastOffset: String(messages.length - 1) }, undefined, async () => undefined);
  return { ok, got };
}

const message = (offset: number, value: Buffer | null): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from(`k${offset}`), value, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

test('a slice mixing hand-read, declined and poison records: same dead letters and parts as the all-async path, in input order', async () => {
  const base = plainSerde();
  const enc = (r: SampleRecord) => base.encode('sample', TOPIC, r);
  const garbage = Buffer.from('not avro at all');
  const messages = [
    message(0, await enc(rec('s0', 'a', 1, '1'))), //   by hand: a, window 0, +1
    message(1, await enc(rec('s1', 'a', 2, '1e1'))), // declined (exponent) but valid: a, +10
    message(2, garbage), //                                poison: not a sample record
    message(3, await enc(rec('s3', 'b', 3, '2'))), //   by hand: b, +2
    message(4, null), //                                   no value
    message(5, await enc(rec('', 'b', 4, '5'))), //     declined, refused by parseSample (empty id)
    message(6, await enc(rec('s0', 'a', 5, '100'))), // by hand, a duplicate of offset 0's sample: not counted
    message(7, await enc(rec('s7', 'a', 61, '4'))), //  by hand: window 1; the watermark (lateness 0) closes window 0
  ];
  const hand = counting(base, true);
  const async = counting(base, false);
  const withHand = await run(hand.serde, messages);
  const before = await run(async.serde, messages);
  assert.equal(withHand.ok, true);
  // decode only for the declined records with a value (offsets 1, 2, 5); before, for all 7 with one.
  assert.equal(hand.decodes(), 3);
  assert.equal(async.decodes(), 7);
  // By hand: window [T0, T0+60 s) closes with a = 1 + 10 = 11 (2 samples; offset 6 is a duplicate), b = 2.
  const short = (p: RollupPart) => [p.serverId, p.windowStartMs - T0, p.state.count, p.state.sum, p.source?.firstOffset, p.source?.lastOffset];
  assert.deepEqual(withHand.got.parts.map(short).sort(), [['a', 0, 2, '11', '0', '1'], ['b', 0, 1, '2', '3', '3']]);
  // Dead letters in input order, each naming why, with the original bytes and key.
  assert.deepEqual(withHand.got.dead.map((d) => [d.offset, d.key]), [['2', 'k2'], ['4', 'k4'], ['5', 'k5']]);
  assert.match(withHand.got.dead[0]?.reason ?? '', /^aggregate: not an Avro record .*got bytes 6e6f7420/); // names the first bytes it got ("not ")
  assert.equal(withHand.got.dead[0]?.original, garbage.toString('hex'));
  assert.equal(withHand.got.dead[1]?.reason, 'aggregate: record has no value');
  assert.equal(withHand.got.dead[1]?.original, '');
  assert.equal(withHand.got.dead[2]?.reason, 'aggregate: id is missing or not a non-empty string');
  assert.deepEqual(withHand.got.consumed, [[8, '8']]);
  // And the path before gives exactly the same, parts in the same order.
  assert.deepEqual(withHand.got, before.got);
});

test('a declined record whose schema the registry cannot give now: the slice is left unapplied, nothing handed over', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const writer = currentSchema('sample').type;
  let down = true;
  const client: RegistryClient = {
    register: async () => 7,
    async getBySubjectAndId() {
      if (down) throw new Error('connect ECONNREFUSED'); // no HTTP status: an outage, not a bad id
      return { schema: currentSchema('sample').text };
    },
  };
  const serde = registrySerde(client);
  // Confluent framing, schema id 7: unknown to the hand reader until the registry has answered once.
  const framed = (r: SampleRecord): Buffer => {
    const head = Buffer.from([0, 0, 0, 0, 7]);
    return Buffer.concat([head, writer.toBuffer(r)]);
  };
  const messages = [message(0, framed(rec('s0', 'a', 1, '1'))), message(1, framed(rec('s1', 'a', 61, '2')))];
  let done = false;
  const first = run(serde, messages).finally(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(1000); // the role's one-second retry pause
  }
  const { ok, got } = await first;
  assert.equal(ok, false);
  assert.deepEqual(got, { dead: [], parts: [], consumed: [] });
  // Once the registry answers, the same slice applies: window 0 closes with a's one sample (1).
  down = false;
  const again = await run(serde, messages);
  assert.equal(again.ok, true);
  assert.deepEqual(again.got.parts.map((p) => [p.serverId, p.state.count, p.state.sum]), [['a', 1, '1']]);
  assert.deepEqual(again.got.dead, []);
  // The schema id is now known to be current: the hand reader takes such records without decode.
  assert.notEqual(serde.readSample?.('metrics.raw', messages[0]?.value as Buffer), undefined);
});

test('beforeApply is awaited with the largest event time of the samples to add, before any is added', async () => {
  const base = plainSerde();
  const enc = (r: SampleRecord) => base.encode('sample', TOPIC, r);
  // Offset 1 is a duplicate of offset 0's sample (not added: its later ts must not count).
  const messages = [message(0, await enc(rec('s0', 'a', 61, '1'))), message(1, await enc(rec('s0', 'a', 500, '1'))), message(2, await enc(rec('s2', 'b', 30, '2')))];
  const agg = new Aggregator({ meters: [meter('req', 'r', 'delta', 'sum')], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  const { owner, got } = recordingOwner();
  const deps = { agg, serde: base, dedup: memoryDedup(), log: createLogger('silent'), current: () => true, lose: () => assert.fail('partition lost') };
  const seen: number[] = [];
  const ok = await applySlice(deps, owner, { topic: TOPIC, partition: 0, messages, lastOffset: '2' }, undefined, async () => undefined, async (maxTs) => {
    seen.push(maxTs);
    assert.equal(agg.serverCount(0), 0); // nothing added yet
    assert.deepEqual(got.consumed, []);
  });
  assert.equal(ok, true);
  assert.deepEqual(seen, [T0 + 61 * S]);
  assert.deepEqual(got.consumed, [[3, '3']]);
});
