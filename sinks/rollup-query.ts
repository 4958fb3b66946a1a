// Reads stored rollup parts merged into buckets of minute/hour/day/month in the catalogue time
// zone (SPEC §10). SQL does the merging of parts into one RollupState per bucket (Σ count and
// sum, max, min, newest latest, union of distinct values); the value the meter shows is then
// computed by the aggregation core (quantityOf), so the API and rating agree on what a state
// means. `time_bucket(interval, ts, timezone)` needs TimescaleDB ≥ 2.8.
import type pg from 'pg';
import type { RollupState } from '../pipeline/aggregation/rollup.js';

export type Granularity = 'minute' | 'hour' | 'day' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day', 'month'];
const INTERVAL: Record<Granularity, string> = {
  minute: '1 minute',
  hour: '1 hour',
  day: '1 day',
  month: '1 month',
};

export interface RollupQuery {
  granularity: Granularity;
  timezone: string;
  fromMs: number;
  /** Exclusive; undefined = no upper bound. */
  toMs?: number;
  serverId?: string;
  meter?: string;
  /** Only parts inside this customer's subscriptions (table `subscriptions`). */
  customer?: string;
}

export interface BucketState {
  bucketMs: number;
  serverId: string;
  meter: string;
  state: RollupState;
}

interface Row {
  bucket: Date;
  server_id: string;
  meter: string;
  samples: string;
  total: string;
  maximum: string | null;
  minimum: string | null;
  latest: string | null;
  latest_ts: Date | null;
  distinct_values: string[] | null;
}

/** Builds the statement; parameters are positional so nothing from the caller is spliced in. */
export function rollupSql(q: RollupQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [INTERVAL[q.granularity], q.timezone, new Date(q.fromMs)];
  const where = ['p.window_start >= $3'];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.toMs !== undefined) where.push(`p.window_start < ${param(new Date(q.toMs))}`);
  if (q.serverId !== undefined) where.push(`p.server_id = ${param(q.serverId)}`);
  if (q.meter !== undefined) where.push(`p.meter = ${param(q.meter)}`);
  const join =
    q.customer === undefined
      ? ''
      : `JOIN subscriptions s ON s.server_id = p.server_id AND s.customer = ${param(q.customer)}
           AND p.window_start >= s.valid_from AND (s.valid_to IS NULL OR p.window_start < s.valid_to)`;
  const text = `SELECT time_bucket($1::interval, p.window_start, $2::text) AS bucket, p.server_id, p.meter,
      sum(p.sample_count)::text AS samples, sum(p.sum)::text AS total,
      max(p.max)::text AS maximum, min(p.min)::text AS minimum,
      ((array_agg(p.latest ORDER BY p.latest_ts DESC, p.latest DESC) FILTER (WHERE p.latest IS NOT NULL))[1])::text AS latest,
      max(p.latest_ts) AS latest_ts,
      CASE WHEN bool_or(p.distinct_values IS NOT NULL)
           THEN (SELECT coalesce(array_agg(DISTINCT v ORDER BY v), '{}') FROM unnest(rollup_text_union(p.distinct_values)) AS v)
      END AS distinct_values
    FROM rollup_parts p ${join}
    WHERE ${where.join(' AND ')}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`;
  return { text, values };
}

export async function queryRollups(db: pg.Pool | pg.ClientBase, q: RollupQuery): Promise<BucketState[]> {
  const { text, values } = rollupSql(q);
  const res = await db.query<Row>({ name: undefined, text, values });
  return res.rows.map((r) => {
    const state: RollupState = { count: Number(r.samples), sum: r.total };
    if (r.maximum !== null) state.max = r.maximum;
    if (r.minimum !== null) state.min = r.minimum;
    if (r.latest !== null) {
      state.latest = r.latest;
      if (r.latest_ts !== null) state.latestTsMs = r.latest_ts.getTime();
    }
    if (r.distinct_values !== null) state.distinct = r.distinct_values;
    return { bucketMs: r.bucket.getTime(), serverId: r.server_id, meter: r.meter, state };
  });
}
