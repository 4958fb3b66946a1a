// A fetched batch as the sink's rows (sinks/rollup-rows.ts), without I/O: the COPY chunks are
// the rows copyRow gives for the decoded parts, in offset order, from the stored offset on;
// records that cannot be read (no value, bytes that are not Avro, a current-schema body avsc
// refuses) become dead letters with the general reader's reason and are neither rows nor parts;
// a record in another framing (Confluent, with no registry) takes the general path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { plainSerde } from '../../avro/serde.js';
import { rollupToRecord } from '../../avro/records.js';
import { copyRow } from '../../sinks/copy-rows.js';
import { rollupRows } from '../../sinks/rollup-rows.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';

const TOPIC = 'usage.rollups';

const part = (i: number): RollupPart => ({
  partId: `raw:0:${i}:requests:${i * 60_000}`,
  serverId: i % 3 === 0 ? 'srv-é' : `srv-${i}`, // every third one non-ASCII: the general path inside the stream
  meter: 'requests',
  windowStartMs: Date.UTC(2026, 9, 1) + i * 60_000,
  windowEndMs: Date.UTC(2026, 9, 1) + (i + 1) * 60_000,
  correction: i % 2 === 1,
  state: { count: i + 1, sum: `${i}.5`, distinct: i % 4 === 0 ? ['a', 'b\\c'] : undefined } as RollupPart['state'],
  source: i % 5 === 0 ? undefined : { topic: 'metrics.raw', partition: 1, firstOffset: String(i), lastOffset: String(i + 1) },
});

const message = (offset: number, value: Buffer | null): KafkaMessage =>
  ({ key: null, value, timestamp: '0', attributes: 0, offset: String(offset), headers: {} }) as KafkaMessage;

const text = (chunks: Iterable<Buffer | string>): string => [...chunks].map((c) => c.toString()).join('');

test('rows from the stored offset on, byte for byte copyRow of the decoded parts; unreadable records are dead letters', async () => {
  const serde = plainSerde();
  const good = await Promise.all(Array.from({ length: 40 }, (_, i) => serde.encode('rollup', TOPIC, rollupToRecord(part(i)))));
  const truncated = (good[7] as Buffer).subarray(0, 20); // current fingerprint, body cut short
  const messages = good.map((v, i) => message(100 + i, v));
  messages[7] = message(107, truncated);
  messages[8] = message(108, null);
  messages[9] = message(109, Buffer.from('{"not":"avro"}'));
  messages[10] = message(110, Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), good[10]?.subarray(10) as Buffer])); // Confluent, no registry

  const rows = await rollupRows({ topic: TOPIC, partition: 2, messages }, serde, 'sink');
  // Before the transaction: no value, not Avro, Confluent without a registry (the truncated body is only met while streaming).
  assert.deepEqual([...rows.undecodable.keys()], ['108', '109', '110']);
  assert.equal(rows.offered, 37);
  assert.match(rows.undecodable.get('110')?.reason ?? '', /^sink: .*Confluent wire format.*SCHEMA_REGISTRY_URL/);

  const kept = (from: number) =>
    Array.from({ length: 40 }, (_, i) => i)
      .filter((i) => i >= from && i !== 7 && i !== 8 && i !== 9 && i !== 10)
      .map((i) => ({ part: part(i), origin: { topic: TOPIC, partition: 2, offset: String(100 + i) } }));
  // JSON round trip drops the undefined optional fields the generator left in, as decoding does.
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  const all = rows.fresh(undefined);
  assert.equal(all.count, 37);
  assert.equal(text(all.chunks()), kept(0).map(copyRow).join(''));
  assert.match(rows.undecodable.get('107')?.reason ?? '', /^sink: cannot decode rollup record \(fingerprint [0-9a-f]{16}\): /);
  assert.deepEqual(plain(all.parts()), plain(kept(0)));

  // Stored up to offset 125 (a replay): rows 25… only, the rest counted as skipped by the store step.
  const rest = rows.fresh(125n);
  assert.equal(rest.count, 15);
  assert.equal(text(rest.chunks()), kept(25).map(copyRow).join(''));
  assert.deepEqual(plain(rest.parts()), plain(kept(25)));
  assert.equal(rows.fresh(1000n).count, 0);
});

test('rows cross COPY chunk boundaries whole (a chunk never ends mid-row)', async () => {
  const serde = plainSerde();
  const long = (i: number): RollupPart => ({ ...part(i), serverId: `srv-${i}`, partId: `p${i}-${'x'.repeat(3000)}` });
  const messages = await Promise.all(Array.from({ length: 300 }, async (_, i) => message(i, await serde.encode('rollup', TOPIC, rollupToRecord(long(i))))));
  const rows = await rollupRows({ topic: TOPIC, partition: 0, messages }, serde, 'sink');
  const chunks = [...rows.fresh(undefined).chunks()];
  assert.ok(chunks.length > 2, `several chunks (${chunks.length})`);
  for (const c of chunks) assert.equal(c.at(-1), 0x0a, 'each chunk ends with a newline');
  const expected = Array.from({ length: 300 }, (_, i) => copyRow({ part: long(i), origin: { topic: TOPIC, partition: 0, offset: String(i) } })).join('');
  assert.equal(chunks.map((c) => c.toString()).join(''), expected);
});
