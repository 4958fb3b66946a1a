// rating_parts: the rollup parts the rate role has consumed. Inserted with ON CONFLICT DO
// NOTHING on part_id, so a replayed part changes nothing; read back to recompute drafts (or
// merged into the running usage state, usage-states.ts, in the same statement).
import type { RollupPart, RollupState } from '../../pipeline/aggregation/rollup.js';
import type { Queryable } from './tx.js';
import { mergeIntoStates } from './usage-states.js';

/** Where the rate role read a part on `usage.rollups` (offsets are 64-bit: decimal strings). */
export interface RollupPosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface StoredPart {
  partId: string;
  serverId: string;
  meter: string;
  windowStartMs: number;
  windowEndMs: number;
  correction: boolean;
  state: RollupState;
  /** The final invoice that billed it, if any. */
  billedInvoice: string | null;
}

export interface ExplainedPart extends StoredPart {
  source: RollupPart['source'] | null;
  rollup: RollupPosition;
}

/** Stores new parts; returns the ids that were new (a replay returns none). */
export async function insertParts(db: Queryable, parts: readonly { part: RollupPart; at: RollupPosition }[]): Promise<Set<string>> {
  if (parts.length === 0) return new Set();
  const r = await db.query<{ part_id: string }>({
    name: 'rating_parts.insert_merge',
    // The new parts (only those: a replay merges nothing) go into the running usage state too.
    text: `WITH ins AS (
             INSERT INTO rating_parts (part_id, server_id, meter, window_start, window_end, correction, state, source,
                                       rollup_topic, rollup_partition, rollup_offset)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::boolean[],
                                  $7::jsonb[], $8::jsonb[], $9::text[], $10::int[], $11::bigint[])
             ON CONFLICT (part_id) DO NOTHING
             RETURNING part_id, server_id, meter, window_start, window_end, state)${mergeIntoStates('ins', 'rating_state_zones')}
           SELECT part_id FROM ins`,
    values: [
      parts.map((p) => p.part.partId),
      parts.map((p) => p.part.serverId),
      parts.map((p) => p.part.meter),
      parts.map((p) => new Date(p.part.windowStartMs)),
      parts.map((p) => new Date(p.part.windowEndMs)),
      parts.map((p) => p.part.correction),
      parts.map((p) => JSON.stringify(p.part.state)),
      parts.map((p) => (p.part.source ? JSON.stringify(p.part.source) : null)),
      parts.map((p) => p.at.topic),
      parts.map((p) => p.at.partition),
      parts.map((p) => p.at.offset),
    ],
  });
  return new Set(r.rows.map((x) => x.part_id));
}

interface Row {
  part_id: string;
  server_id: string;
  meter: string;
  window_start: Date;
  window_end: Date;
  correction: boolean;
  state: RollupState;
  billed_invoice: string | null;
}

const toPart = (r: Row): StoredPart => ({
  partId: r.part_id,
  serverId: r.server_id,
  meter: r.meter,
  windowStartMs: r.window_start.getTime(),
  windowEndMs: r.window_end.getTime(),
  correction: r.correction,
  state: r.state,
  billedInvoice: r.billed_invoice,
});

const PART_COLUMNS = 'part_id, server_id, meter, window_start, window_end, correction, state, billed_invoice';

/** Parts of the given servers whose window starts in [fromMs, toMs). */
export async function partsOfServers(db: Queryable, serverIds: readonly string[], fromMs: number, toMs: number): Promise<StoredPart[]> {
  if (serverIds.length === 0) return [];
  const r = await db.query<Row>({
    name: 'rating_parts.of_servers',
    text: `SELECT ${PART_COLUMNS} FROM rating_parts
            WHERE server_id = ANY ($1::text[]) AND window_start >= $2 AND window_start < $3`,
    values: [[...serverIds], new Date(fromMs), new Date(toMs)],
  });
  return r.rows.map(toPart);
}

/** Parts of the given servers before `beforeMs` that no final invoice has billed (late usage). */
export async function unbilledPartsBefore(db: Queryable, serverIds: readonly string[], beforeMs: number): Promise<StoredPart[]> {
  if (serverIds.length === 0) return [];
  const r = await db.query<Row>({
    name: 'rating_parts.unbilled_before',
    text: `SELECT ${PART_COLUMNS} FROM rating_parts
            WHERE server_id = ANY ($1::text[]) AND window_start < $2 AND billed_invoice IS NULL`,
    values: [[...serverIds], new Date(beforeMs)],
  });
  return r.rows.map(toPart);
}

/** Finalization: these parts are billed by `invoiceId` (only parts not billed before). */
export async function markBilled(db: Queryable, invoiceId: string, partIds: readonly string[]): Promise<number> {
  if (partIds.length === 0) return 0;
  const r = await db.query({
    name: 'rating_parts.mark_billed',
    text: 'UPDATE rating_parts SET billed_invoice = $1 WHERE part_id = ANY ($2::text[]) AND billed_invoice IS NULL',
    values: [invoiceId, [...partIds]],
  });
  return r.rowCount ?? 0;
}

/**
 * The parts behind a line, for explain: one series over [fromMs, toMs), either those billed by
 * a final invoice (`billedBy`) or those not billed yet (a draft's line).
 */
export async function partsForLine(
  db: Queryable,
  q: { serverId: string; meter: string; fromMs: number; toMs: number; billedBy: string | null; limit: number; offset: number },
): Promise<{ total: number; parts: ExplainedPart[] }> {
  const where = `server_id = $1 AND meter = $2 AND window_start >= $3 AND window_start < $4
                 AND billed_invoice IS NOT DISTINCT FROM $5`;
  const values = [q.serverId, q.meter, new Date(q.fromMs), new Date(q.toMs), q.billedBy];
  const count = await db.query<{ n: string }>({ text: `SELECT count(*) AS n FROM rating_parts WHERE ${where}`, values });
  const r = await db.query<Row & { source: RollupPart['source'] | null; rollup_topic: string; rollup_partition: number; rollup_offset: string }>({
    text: `SELECT ${PART_COLUMNS}, source, rollup_topic, rollup_partition, rollup_offset FROM rating_parts
            WHERE ${where} ORDER BY window_start, part_id LIMIT $6 OFFSET $7`,
    values: [...values, q.limit, q.offset],
  });
  return {
    total: Number(count.rows[0]?.n ?? 0),
    parts: r.rows.map((row) => ({
      ...toPart(row),
      source: row.source,
      rollup: { topic: row.rollup_topic, partition: row.rollup_partition, offset: String(row.rollup_offset) },
    })),
  };
}

/** Offset ranges behind a line's parts: per usage.rollups partition and per metrics.raw partition. */
export interface OffsetRange {
  topic: string;
  partition: number;
  first_offset: string;
  last_offset: string;
  parts: number;
}

export async function offsetsForLine(
  db: Queryable,
  q: { serverId: string; meter: string; fromMs: number; toMs: number; billedBy: string | null },
): Promise<{ rollups: OffsetRange[]; sources: OffsetRange[] }> {
  const where = `server_id = $1 AND meter = $2 AND window_start >= $3 AND window_start < $4 AND billed_invoice IS NOT DISTINCT FROM $5`;
  const values = [q.serverId, q.meter, new Date(q.fromMs), new Date(q.toMs), q.billedBy];
  const rollups = await db.query<OffsetRange>({
    text: `SELECT rollup_topic AS topic, rollup_partition AS partition, min(rollup_offset)::text AS first_offset,
                  max(rollup_offset)::text AS last_offset, count(*)::int AS parts
             FROM rating_parts WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    values,
  });
  const sources = await db.query<OffsetRange>({
    text: `SELECT source->>'topic' AS topic, (source->>'partition')::int AS partition,
                  min((source->>'firstOffset')::numeric)::text AS first_offset, max((source->>'lastOffset')::numeric)::text AS last_offset,
                  count(*)::int AS parts
             FROM rating_parts WHERE ${where} AND source IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    values,
  });
  return { rollups: rollups.rows, sources: sources.rows };
}

/** One series' parts whose window starts in [fromMs, toMs). */
export async function partsOfSeries(db: Queryable, serverId: string, meter: string, fromMs: number, toMs: number): Promise<StoredPart[]> {
  const r = await db.query<Row>({
    name: 'rating_parts.of_series',
    text: `SELECT ${PART_COLUMNS} FROM rating_parts WHERE server_id = $1 AND meter = $2 AND window_start >= $3 AND window_start < $4`,
    values: [serverId, meter, new Date(fromMs), new Date(toMs)],
  });
  return r.rows.map(toPart);
}
