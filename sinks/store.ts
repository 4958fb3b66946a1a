// Writes rollup parts to TimescaleDB exactly once, in one transaction per batch:
//  1. lock the partition's row in sink_offsets and skip the parts at offsets already stored
//     (a replay after a crash between the database commit and Kafka's offset commit);
//  2. COPY the rest straight into rollup_parts, with no savepoint — the fast path, the same
//     statement as a plain COPY;
//  3. advance the partition's offset and commit.
// Should that COPY be refused (a part there already: a re-sent part at a new offset, a sink of
// an older version that stored without offsets; or a row PostgreSQL refuses for good), the
// whole transaction is rolled back and the batch redone the careful way: COPY into a staging
// table + INSERT … ON CONFLICT DO NOTHING under a savepoint, and a row refused for good found
// by halving the batch under savepoints and returned as poison with the database's reason —
// the other rows are stored and the partition moves on. Savepoints cost a round trip each and
// a subtransaction; the fast path, taken by nearly every batch, has none.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { ROLLUP_COLUMNS, copyRow, type StoredPart } from './copy-rows.js';
import { isTransient } from '../roles/transient.js';

const COLUMNS = ROLLUP_COLUMNS.join(', ');

/** Session-local staging table; emptied after each use and, to be sure, at every commit. */
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS rollup_parts_stage
  (LIKE rollup_parts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;

const MERGE = `INSERT INTO rollup_parts (${COLUMNS})
  SELECT ${COLUMNS} FROM rollup_parts_stage
  ON CONFLICT (server_id, meter, window_start, part_id) DO NOTHING`;

const LOCK_POSITION = `WITH ins AS (
    INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
    ON CONFLICT DO NOTHING)
  SELECT next_offset::text AS next_offset FROM sink_offsets
  WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE`;

const ADVANCE = `UPDATE sink_offsets SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
  WHERE consumer_group = $1 AND topic = $2 AND partition = $3`;

/** Where a batch came from: the sink stores its next offset with the rows. */
export interface BatchPosition {
  group: string;
  topic: string;
  partition: number;
  /** The offset after the batch's last record. */
  nextOffset: string;
}

export interface Poison {
  stored: StoredPart;
  reason: string;
}

export interface StoreResult {
  /** Parts offered. */
  offered: number;
  /** Parts new to the table (the rest were stored before, or are poison). */
  inserted: number;
  /** Parts skipped because the stored offsets say they were stored before. */
  skipped: number;
  /** Parts PostgreSQL refused for good, with its reason. */
  poison: Poison[];
}

/** COPY rows (already formatted, one per line) into a table. */
export function copyInto(client: pg.ClientBase, table: string, rows: Iterable<string>): Promise<number> {
  return copyChunks(client, table, chunked(rows));
}

/**
 * COPY text in chunks of whole rows into a table. The chunks are pulled as the stream drains,
 * so a lazy source formats the next chunk while PostgreSQL parses the one before.
 */
export async function copyChunks(client: pg.ClientBase, table: string, chunks: Iterable<Buffer | string>): Promise<number> {
  const stream = client.query(copyStreams.from(`COPY ${table} (${COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from(chunks, { objectMode: false, highWaterMark: 1 }), stream);
  return stream.rowCount;
}

/** Joins rows into ~256 KiB chunks: one write per row would dominate the COPY's cost. */
function* chunked(rows: Iterable<string>): Generator<string> {
  let buf = '';
  for (const row of rows) {
    buf += row;
    if (buf.length >= 262_144) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

const sqlState = (err: unknown): string | undefined => (err as { code?: unknown }).code as string | undefined;

/** Runs `fn` under a savepoint: undone alone if it throws, the transaction carries on. */
async function savepoint<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT store');
  try {
    const r = await fn();
    await client.query('RELEASE SAVEPOINT store');
    return r;
  } catch (err) {
    if (!isTransient(err)) await client.query('ROLLBACK TO SAVEPOINT store');
    throw err;
  }
}

/** COPY into the staging table, then merge: parts stored before are dropped by the key. */
function mergeRows(client: pg.ClientBase, rows: string[]): Promise<number> {
  return savepoint(client, async () => {
    await client.query(CREATE_STAGE);
    await copyInto(client, 'rollup_parts_stage', rows);
    const res = await client.query(MERGE);
    await client.query('TRUNCATE rollup_parts_stage');
    return res.rowCount ?? 0;
  });
}

/** The fast path's COPY was refused for a reason other than a blip: redo the batch carefully. */
class CopyRefused extends Error {}

/** The fast path: one COPY, no savepoint; any refusal aborts the transaction. */
async function copyRows(client: pg.ClientBase, chunks: Iterable<Buffer | string>): Promise<number> {
  try {
    return await copyChunks(client, 'rollup_parts', chunks);
  } catch (err) {
    if (isTransient(err)) throw err;
    throw new CopyRefused('COPY into rollup_parts refused', { cause: err });
  }
}

/** Inserts what it can; rows refused for good are isolated by halving and returned as poison. */
async function insertIsolating(client: pg.ClientBase, parts: readonly StoredPart[], rows: string[], poison: Poison[]): Promise<number> {
  try {
    return await mergeRows(client, rows);
  } catch (err) {
    if (isTransient(err)) throw err;
    if (parts.length === 1) {
      const e = err as Error;
      poison.push({ stored: parts[0] as StoredPart, reason: `${sqlState(err) ?? 'error'}: ${e.message}` });
      return 0;
    }
    const mid = Math.ceil(parts.length / 2);
    return (
      (await insertIsolating(client, parts.slice(0, mid), rows.slice(0, mid), poison)) +
      (await insertIsolating(client, parts.slice(mid), rows.slice(mid), poison))
    );
  }
}

/** The rows of a batch at or past the stored offset. */
export interface FreshRows {
  count: number;
  /** Their COPY text, in chunks of whole rows (the fast path). */
  chunks(): Iterable<Buffer | string>;
  /** The same rows as parts (the careful path isolates poison part by part). */
  parts(): readonly StoredPart[];
}

/** A batch to store: rows that know the offset they were read at. */
export interface RowBatch {
  offered: number;
  /** The rows read at offsets ≥ `stored` (every row without `stored`, or a row without an origin). */
  fresh(stored: bigint | undefined): FreshRows;
}

/** Parts in hand as a RowBatch (tests, the API's fixtures, the bench's store step). */
export function partsBatch(parts: readonly StoredPart[]): RowBatch {
  return {
    offered: parts.length,
    fresh(stored) {
      const fresh = stored === undefined ? parts : parts.filter((p) => p.origin === undefined || BigInt(p.origin.offset) >= stored);
      return { count: fresh.length, chunks: () => chunked(rowsOf(fresh)), parts: () => fresh };
    },
  };
}

function* rowsOf(parts: readonly StoredPart[]): Generator<string> {
  for (const p of parts) yield copyRow(p);
}

/**
 * Store parts exactly once in one transaction; with `position`, the partition's offset advances
 * in the same transaction and parts at offsets stored before are skipped. Committed before the
 * caller commits Kafka offsets.
 */
export function storeParts(
  client: pg.ClientBase,
  parts: readonly StoredPart[],
  position?: BatchPosition,
  beforeCommit?: (result: StoreResult) => Promise<void>,
): Promise<StoreResult> {
  return storeRows(client, partsBatch(parts), position, beforeCommit);
}

/** storeParts for any RowBatch (the sink's rows come straight from the Avro bytes). */
export async function storeRows(
  client: pg.ClientBase,
  batch: RowBatch,
  position?: BatchPosition,
  /** Runs inside the transaction, just before COMMIT (the sink dead-letters the poison here). */
  beforeCommit?: (result: StoreResult) => Promise<void>,
): Promise<StoreResult> {
  if (batch.offered === 0 && !position) return { offered: 0, inserted: 0, skipped: 0, poison: [] };
  try {
    return await inTransaction(client, batch, position, beforeCommit, (fresh) => copyRows(client, fresh.chunks()));
  } catch (err) {
    if (!(err instanceof CopyRefused)) throw err;
  }
  return inTransaction(client, batch, position, beforeCommit, (fresh, poison) => {
    const parts = fresh.parts();
    return insertIsolating(client, parts, parts.map(copyRow), poison);
  });
}

async function inTransaction(
  client: pg.ClientBase,
  batch: RowBatch,
  position: BatchPosition | undefined,
  beforeCommit: ((result: StoreResult) => Promise<void>) | undefined,
  insert: (fresh: FreshRows, poison: Poison[]) => Promise<number>,
): Promise<StoreResult> {
  await client.query('BEGIN');
  try {
    let stored: bigint | undefined;
    if (position) {
      const key = [position.group, position.topic, position.partition];
      const res = await client.query<{ next_offset: string }>(LOCK_POSITION, key);
      stored = BigInt(res.rows[0]?.next_offset ?? '0');
    }
    const fresh = batch.fresh(stored);
    const poison: Poison[] = [];
    const inserted = fresh.count === 0 ? 0 : await insert(fresh, poison);
    if (position) await client.query(ADVANCE, [position.group, position.topic, position.partition, position.nextOffset]);
    const result = { offered: batch.offered, inserted, skipped: batch.offered - fresh.count, poison };
    await beforeCommit?.(result);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
