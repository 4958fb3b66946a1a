// Running usage state (db/migrations/095): every stored rollup part merged into its (zone,
// server, meter) day and month row, in SQL with exact numerics, by the statement that stores
// the part (insertParts). The merge is RollupState's (pipeline/aggregation/state.ts): counts and
// sums add, max/min keep the extreme, latest keeps the newest ts (ties: the greater value),
// distinct values unite — commutative and associative, so rows equal a merge of all their parts
// in any order. Parts are never changed or deleted, so nothing is ever subtracted.
import type { RollupState } from '../../pipeline/aggregation/rollup.js';
import type { Queryable } from './tx.js';

/** Columns of one part as a state row sees it; `src` has window_start, window_end, state, zone. */
const perPart = (src: string): string => `
  SELECT zone, server_id, meter,
         date_trunc('day', window_start, zone) AS day_start, date_trunc('month', window_start, zone) AS month_start,
         window_start, window_end,
         (state->>'count')::bigint AS samples, (state->>'sum')::numeric AS total,
         (state->>'max')::numeric AS max_value, (state->>'min')::numeric AS min_value,
         (state->>'latest')::numeric AS latest_value,
         CASE WHEN state ? 'latest' THEN coalesce((state->>'latestTsMs')::bigint, -9223372036854775807) END AS latest_ts,
         CASE WHEN state ? 'distinct' THEN ARRAY(SELECT jsonb_array_elements_text(state->'distinct')) END AS distinct_values
    FROM ${src}`;

const COLUMNS = 'lo, hi, hi_end, samples, total, max_value, min_value, latest_value, latest_ts, distinct_values';

const AGGREGATES = `
  min(window_start), max(window_start), max(window_end), sum(samples), sum(total), max(max_value), min(min_value),
  (array_agg(latest_value ORDER BY latest_ts DESC, latest_value DESC) FILTER (WHERE latest_value IS NOT NULL))[1],
  max(latest_ts) FILTER (WHERE latest_value IS NOT NULL),
  CASE WHEN count(distinct_values) > 0
       THEN ARRAY(SELECT DISTINCT x FROM unnest(rating_array_union(distinct_values)) AS x ORDER BY 1) END`;

const NEWER = `(excluded.latest_value IS NOT NULL AND (t.latest_value IS NULL OR excluded.latest_ts > t.latest_ts
                OR (excluded.latest_ts = t.latest_ts AND excluded.latest_value > t.latest_value)))`;

const ON_CONFLICT = `DO UPDATE SET
  lo = least(t.lo, excluded.lo), hi = greatest(t.hi, excluded.hi), hi_end = greatest(t.hi_end, excluded.hi_end),
  samples = t.samples + excluded.samples, total = t.total + excluded.total,
  max_value = greatest(t.max_value, excluded.max_value), min_value = least(t.min_value, excluded.min_value),
  latest_value = CASE WHEN ${NEWER} THEN excluded.latest_value ELSE t.latest_value END,
  latest_ts = CASE WHEN ${NEWER} THEN excluded.latest_ts ELSE t.latest_ts END,
  distinct_values = CASE WHEN t.distinct_values IS NULL THEN excluded.distinct_values
                         WHEN excluded.distinct_values IS NULL THEN t.distinct_values
                         ELSE ARRAY(SELECT DISTINCT x FROM unnest(t.distinct_values || excluded.distinct_values) AS x ORDER BY 1) END`;

/**
 * CTEs (to follow a `WITH src AS (…)`) that merge the parts in `src` (server_id, meter,
 * window_start, window_end, state) into the state rows of every zone in `zones` (a table or
 * subquery with a `zone` column). Groups are upserted in key order so concurrent batches lock
 * rows in one order.
 */
export function mergeIntoStates(src: string, zones: string): string {
  return `,
  usage_p AS (${perPart(`${src} CROSS JOIN ${zones} AS usage_z`)}),
  usage_d AS (
    INSERT INTO rating_usage_days AS t (zone, server_id, meter, day_start, month_start, ${COLUMNS})
    SELECT zone, server_id, meter, day_start, month_start, ${AGGREGATES}
      FROM usage_p GROUP BY zone, server_id, meter, day_start, month_start ORDER BY 1, 2, 3, 4
    ON CONFLICT (zone, server_id, meter, day_start) ${ON_CONFLICT}),
  usage_m AS (
    INSERT INTO rating_usage_months AS t (zone, server_id, meter, month_start, ${COLUMNS})
    SELECT zone, server_id, meter, month_start, ${AGGREGATES}
      FROM usage_p GROUP BY zone, server_id, month_start, meter ORDER BY 1, 2, 4, 3
    ON CONFLICT (zone, server_id, month_start, meter) ${ON_CONFLICT})`;
}

/**
 * Makes the state rows of `zone` exist and be complete. Built once from every stored part with
 * rating_parts locked against inserts (SHARE), so no part is merged twice or missed: an insert
 * that commits first is read by the build; one that waits sees the zone and merges itself.
 * Other zones' rows (an earlier catalogue) are dropped: no insert keeps paying for them.
 */
export async function ensureStates(db: Queryable, zone: string): Promise<'built' | 'present'> {
  await db.query('LOCK TABLE rating_parts IN SHARE MODE');
  const present = await db.query('SELECT 1 FROM rating_state_zones WHERE zone = $1', [zone]);
  if (present.rowCount === 1) return 'present';
  await db.query('DELETE FROM rating_state_zones');
  await db.query('DELETE FROM rating_usage_days');
  await db.query('DELETE FROM rating_usage_months');
  await db.query(`WITH src AS (SELECT server_id, meter, window_start, window_end, state FROM rating_parts)${mergeIntoStates('src', '(SELECT $1::text AS zone)')} SELECT 1`, [zone]);
  await db.query('INSERT INTO rating_state_zones (zone) VALUES ($1)', [zone]);
  return 'built';
}

/** One state row: the merged state of a series' parts with window start in [loMs, hiMs]. */
export interface StateRow {
  serverId: string;
  meter: string;
  loMs: number;
  hiMs: number;
  hiEndMs: number;
  state: RollupState;
}

interface Row {
  server_id: string;
  meter: string;
  lo: Date;
  hi: Date;
  hi_end: Date;
  samples: string;
  total: string;
  max_value: string | null;
  min_value: string | null;
  latest_value: string | null;
  latest_ts: string | null;
  distinct_values: string[] | null;
}

const SELECT_ROW = `SELECT server_id, meter, lo, hi, hi_end, samples::text, total::text, max_value::text, min_value::text,
                           latest_value::text, latest_ts::text, distinct_values`;

function toStateRow(r: Row): StateRow {
  const state: RollupState = { count: Number(r.samples), sum: r.total };
  if (r.max_value !== null) state.max = r.max_value;
  if (r.min_value !== null) state.min = r.min_value;
  if (r.latest_value !== null) {
    state.latest = r.latest_value;
    state.latestTsMs = Number(r.latest_ts);
  }
  if (r.distinct_values !== null) state.distinct = r.distinct_values;
  return { serverId: r.server_id, meter: r.meter, loMs: r.lo.getTime(), hiMs: r.hi.getTime(), hiEndMs: r.hi_end.getTime(), state };
}

/** Month rows of `serverIds` for the month starting at `monthStartMs` (local, in `zone`). */
export async function monthStates(db: Queryable, zone: string, serverIds: readonly string[], monthStartMs: number): Promise<StateRow[]> {
  if (serverIds.length === 0) return [];
  const r = await db.query<Row>({
    name: 'rating_usage_months.of_servers',
    text: `${SELECT_ROW} FROM rating_usage_months WHERE zone = $1 AND server_id = ANY ($2::text[]) AND month_start = $3`,
    values: [zone, [...serverIds], new Date(monthStartMs)],
  });
  return r.rows.map(toStateRow);
}

/** Day rows of the given series in the month starting at `monthStartMs`. */
export async function dayStates(db: Queryable, zone: string, series: readonly { serverId: string; meter: string }[], monthStartMs: number): Promise<StateRow[]> {
  if (series.length === 0) return [];
  const r = await db.query<Row>({
    name: 'rating_usage_days.of_series',
    text: `${SELECT_ROW} FROM rating_usage_days
            WHERE zone = $1 AND month_start = $2 AND (server_id, meter) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
    values: [zone, new Date(monthStartMs), series.map((s) => s.serverId), series.map((s) => s.meter)],
  });
  return r.rows.map(toStateRow);
}
