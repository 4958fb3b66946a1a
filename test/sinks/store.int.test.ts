// The store step (sinks/store.ts) against a real TimescaleDB: the fast path (one COPY, no
// savepoint) and the careful path it falls back to when the COPY is refused — a part stored
// before at another offset (the primary key (server_id, meter, window_start, part_id) rejects
// it, migration 100), and a row refused for good (poison) — each leave the table and the
// stored offset as one clean run would.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { storeParts, type BatchPosition } from '../../sinks/store.js';
import type { StoredPart } from '../../sinks/copy-rows.js';
import { freshDb, type FreshDb } from './fresh-db.js';
import { seriesPart } from './rollup-topics.js';

let db: FreshDb;
before(async () => {
  db = await freshDb('sink_store');
});
after(() => db.drop());

/** Parts `from`…`to - 1` of a series, read at offsets `offsetBase + i` of partition 0. */
const stored = (serverId: string, from: number, to: number, offsetBase = 0): StoredPart[] =>
  Array.from({ length: to - from }, (_, k) => ({
    part: seriesPart(from + k, serverId),
    origin: { topic: 'rollups', partition: 0, offset: String(offsetBase + from + k) },
  }));

const position = (group: string, nextOffset: number): BatchPosition => ({ group, topic: 'rollups', partition: 0, nextOffset: String(nextOffset) });

async function table(serverId: string): Promise<{ n: number; s: string | null }> {
  const r = await db.pool.query<{ n: number; s: string | null }>('SELECT count(*)::int AS n, sum(sum)::text AS s FROM rollup_parts WHERE server_id = $1', [serverId]);
  return r.rows[0] ?? { n: -1, s: null };
}

async function nextOffset(group: string): Promise<string | undefined> {
  const r = await db.pool.query<{ o: string }>('SELECT next_offset::text AS o FROM sink_offsets WHERE consumer_group = $1', [group]);
  return r.rows[0]?.o;
}

async function store(parts: StoredPart[], pos?: BatchPosition) {
  const client = await db.pool.connect();
  try {
    return await storeParts(client, parts, pos);
  } finally {
    client.release();
  }
}

test('a batch is stored with its offset; the same batch again is skipped by the offset', async () => {
  const first = await store(stored('srv-a', 0, 4), position('g-a', 4));
  assert.deepEqual({ ...first, poison: first.poison.length }, { offered: 4, inserted: 4, skipped: 0, poison: 0 });
  const again = await store(stored('srv-a', 0, 4), position('g-a', 4));
  assert.deepEqual({ ...again, poison: again.poison.length }, { offered: 4, inserted: 0, skipped: 4, poison: 0 });
  // Sums of parts 0…3 are 1 + 2 + 3 + 4 = 10.
  assert.deepEqual(await table('srv-a'), { n: 4, s: '10' });
  assert.equal(await nextOffset('g-a'), '4');
});

test('a part stored before, re-sent at a new offset, is rejected by the key; the new parts of its batch are stored', async () => {
  await store(stored('srv-b', 0, 3), position('g-b', 3));
  // Parts 1 and 2 again (re-sent by an upstream replay at offsets 11, 12), with new parts 3, 4.
  const replay = await store(stored('srv-b', 1, 5, 10), position('g-b', 15));
  assert.deepEqual({ ...replay, poison: replay.poison.length }, { offered: 4, inserted: 2, skipped: 0, poison: 0 });
  // Parts 0…4 once each: 1 + 2 + 3 + 4 + 5 = 15.
  assert.deepEqual(await table('srv-b'), { n: 5, s: '15' });
  assert.equal(await nextOffset('g-b'), '15');
});

test('the same part_id cannot be stored twice, whatever the batch (no position, same batch twice over)', async () => {
  const parts = stored('srv-c', 0, 2);
  const r = await store([...parts, ...parts]);
  assert.equal(r.inserted, 2);
  assert.deepEqual(await table('srv-c'), { n: 2, s: '3' });
});

test('a row refused for good is returned as poison with the reason; the rest of the batch and the offset are stored', async () => {
  const parts = stored('srv-d', 0, 5);
  const bad = parts[3]?.part;
  assert.ok(bad);
  bad.windowEndMs = bad.windowStartMs; // CHECK (window_end > window_start)
  const r = await store(parts, position('g-d', 5));
  assert.equal(r.inserted, 4);
  assert.deepEqual(r.poison.map((p) => p.stored.origin?.offset), ['3']);
  assert.match(r.poison[0]?.reason ?? '', /^23514: .*check constraint/);
  // Parts 0, 1, 2, 4: 1 + 2 + 3 + 5 = 11.
  assert.deepEqual(await table('srv-d'), { n: 4, s: '11' });
  assert.equal(await nextOffset('g-d'), '5');
});
