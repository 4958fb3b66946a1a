// Writes rollup parts to TimescaleDB in one transaction: COPY into a per-connection staging
// table, then INSERT … SELECT … ON CONFLICT (part_id, window_start) DO NOTHING. A part stored
// before (a replay after a crash, a rebalance, a re-sent batch) hits the key and changes
// nothing, so each part — on-time or correction — counts exactly once however often it arrives.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { ROLLUP_COLUMNS, copyRow, type StoredPart } from './copy-rows.js';

const COLUMNS = ROLLUP_COLUMNS.join(', ');

/** Session-local staging table; ON COMMIT DELETE ROWS empties it after every batch. */
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS rollup_parts_stage
  (LIKE rollup_parts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;

const MERGE = `INSERT INTO rollup_parts (${COLUMNS})
  SELECT ${COLUMNS} FROM rollup_parts_stage
  ON CONFLICT (part_id, window_start) DO NOTHING`;

export interface StoreResult {
  /** Parts offered. */
  offered: number;
  /** Parts new to the table (the rest were stored before). */
  inserted: number;
}

/** COPY the rows of `parts` (already formatted, one per line) into a table. */
export async function copyInto(
  client: pg.ClientBase,
  table: string,
  rows: Iterable<string>,
): Promise<number> {
  const stream = client.query(copyStreams.from(`COPY ${table} (${COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from(chunked(rows)), stream);
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

/** Store parts exactly once: one transaction, committed before the caller commits Kafka offsets. */
export async function storeParts(client: pg.ClientBase, parts: readonly StoredPart[]): Promise<StoreResult> {
  if (parts.length === 0) return { offered: 0, inserted: 0 };
  await client.query('BEGIN');
  try {
    await client.query(CREATE_STAGE);
    await copyInto(client, 'rollup_parts_stage', parts.map(copyRow));
    const res = await client.query(MERGE);
    await client.query('COMMIT');
    return { offered: parts.length, inserted: res.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
