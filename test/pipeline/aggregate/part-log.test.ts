// The part log (pipeline/aggregate/part-log.ts) holds a commit's encoded parts in chunks: what
// its run hands the producer must be each part's own bytes, whole, in the order added, whichever
// buffer a record landed in. The expected bytes come from avsc (serde.encodeBody over the
// record mapping), not from the hand writer the log uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBody } from '../../../avro/serde.js';
import { rollupToRecord } from '../../../avro/records.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { CHUNK_BYTES, PartLog, pooledChunks } from '../../../pipeline/aggregate/part-log.js';
import type { TxnRecord } from '../../../pipeline/aggregate/transaction.js';

const HEAD = Buffer.from([0, 0, 0, 0, 7]);
const expected = (p: RollupPart): Buffer => Buffer.concat([HEAD, encodeBody('rollup', rollupToRecord(p))]);

/** Part i: server ids of varying length, so records straddle no fixed grid; every 7th a correction. */
function part(i: number, distinct?: string[]): RollupPart {
  const serverId = `srv-${i}-${'x'.repeat(i % 37)}`;
  const windowStartMs = 1_700_000_000_000 + (i % 11) * 60_000;
  return {
    partId: `metrics.raw:3:${1000 + i}:cpu:${windowStartMs}`,
    serverId,
    meter: i % 2 === 0 ? 'cpu_core_seconds' : 'egress_gb',
    windowStartMs,
    windowEndMs: windowStartMs + 60_000,
    correction: i % 7 === 0,
    state: distinct ? { count: distinct.length, sum: '0', distinct } : { count: 1 + (i % 5), sum: `${i}.25` },
    source: { topic: 'metrics.raw', partition: 3, firstOffset: String(1000 + i), lastOffset: String(1000 + i + (i % 3)) },
  };
}

/** The run's records as the producer takes them: key and a copy of the value (they are views). */
function drain(log: PartLog, order?: readonly number[]): { key: string; value: Buffer }[] {
  const run = log.run('usage.rollups');
  const into: TxnRecord = { topic: '', key: null, value: null };
  const out: { key: string; value: Buffer }[] = [];
  for (const i of order ?? Array.from({ length: run.count }, (_, k) => k)) {
    run.fill(i, into);
    assert.equal(into.topic, 'usage.rollups');
    out[i] = { key: String(into.key), value: Buffer.from(into.value as Buffer) };
  }
  return out;
}

test('parts spread over several buffers come back whole, in order, each its own bytes and key', () => {
  const parts = Array.from({ length: 30_000 }, (_, i) => part(i));
  const log = new PartLog();
  for (const p of parts) log.add(HEAD, p);
  const want = parts.map(expected);
  assert.ok(log.buffers >= 4, `${log.buffers} buffers: the test must cross chunk boundaries`);
  assert.equal(log.count, parts.length);
  assert.equal(log.bytes, want.reduce((n, b) => n + b.length, 0));
  assert.equal(log.corrections, parts.filter((p) => p.correction).length);
  const got = drain(log);
  for (let i = 0; i < parts.length; i++) {
    assert.equal(got[i]?.key, parts[i]?.serverId, `key of record ${i}`);
    assert.ok(got[i]?.value.equals(want[i] as Buffer), `bytes of record ${i}`);
  }
  // The producer may ask out of order (a retry): the same records.
  const shuffled = Array.from({ length: parts.length }, (_, i) => (i * 7919) % parts.length);
  assert.deepEqual(drain(log, shuffled), got);
});

test('a record larger than the room left in a buffer is kept whole', () => {
  const big = part(5, Array.from({ length: 400 }, (_, k) => `label-value-${k}-${'y'.repeat(60)}`));
  const parts = [part(1), big, part(2), ...Array.from({ length: 3000 }, (_, i) => part(10 + i)), big, part(3)];
  const log = new PartLog(1024);
  for (const p of parts) log.add(HEAD, p);
  const got = drain(log);
  parts.forEach((p, i) => assert.ok(got[i]?.value.equals(expected(p)), `bytes of record ${i}`));
});

test('clear empties the log and pools its full chunks; the next commit reuses them, bytes intact', () => {
  const first = new PartLog();
  for (let i = 0; i < 30_000; i++) first.add(HEAD, part(i));
  const before = pooledChunks();
  assert.equal(first.clear(), true);
  assert.equal(first.count, 0);
  assert.equal(first.bytes, 0);
  assert.ok(pooledChunks() > before, 'full chunks go back to the pool');
  // Chunks the pool hands out held other parts: every record must be its own bytes again.
  const pooled = pooledChunks();
  const parts = Array.from({ length: 20_000 }, (_, i) => part(50_000 + i));
  const second = new PartLog();
  for (const p of parts) second.add(HEAD, p);
  assert.ok(pooledChunks() < pooled, 'a new log takes chunks from the pool');
  const got = drain(second);
  parts.forEach((p, i) => assert.ok(got[i]?.value.equals(expected(p)), `bytes of record ${i}`));
  assert.ok(CHUNK_BYTES * 2 < second.bytes, 'the second log spans pooled chunks too');
});

test('bytes counts what the log holds, and clear empties it', () => {
  const log = new PartLog(16);
  const head = Buffer.from([0, 0, 0, 0, 1]);
  log.add(head, { partId: 'p', serverId: 's', meter: 'm', windowStartMs: 0, windowEndMs: 60_000, correction: false, state: { count: 1, sum: '1' } });
  // head 5; 'p' 's' 'm' 2 each = 6; start 0: 1; end 60 000 (zig-zag 120 000: 3 varint bytes) 3;
  // false 1; count 1; sum '1' 2; null max, min, latest, latestTsMs, distinct: 5; null source 1 → 25
  assert.equal(log.bytes, 25);
  assert.equal(log.count, 1);
  assert.equal(log.clear(), true);
  assert.equal(log.bytes, 0);
});
