// GET /v1/rollups (SPEC §10): stored rollup parts re-bucketed to minute/hour/day/month in the
// catalogue time zone, each bucket's value re-aggregated the way its meter aggregates. JSON by
// default, CSV for `Accept: text/csv`. Sorted by bucket, server, meter.
import { Hono, type Context } from 'hono';
import type pg from 'pg';
import { DateTime } from 'luxon';
import type { Catalog, Meter } from '../../catalog/types.js';
import { formatPlain } from '../../lib/decimal.js';
import { parseTimestamp } from '../../pipeline/samples/timestamp.js';
import { quantityOf } from '../../pipeline/aggregation/state.js';
import type { Problem } from '../../lib/errors.js';
import {
  GRANULARITIES,
  queryRollups,
  type Granularity,
  type RollupQuery,
  type BucketState,
} from '../../sinks/rollup-query.js';

export interface RollupsRouteOptions {
  pool: pg.Pool;
  catalog: Catalog;
  /**
   * The customer the caller is confined to (customer API keys), or undefined for callers that
   * may read every customer's rollups. Wired by the app's auth middleware.
   */
  confinedTo?: (c: Context) => string | undefined;
}

export interface RollupRow {
  bucket: string;
  server_id: string;
  meter: string;
  value: string;
  unit: string;
}

/** Fraction digits of quotient values (avg, time_average); the SQL views round the same way. */
export const QUOTIENT_DIGITS = 12;

/** `2026-10-01T00:00:00Z`: the API's instant format (milliseconds only when non-zero). */
export const formatInstant = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Seconds of the calendar month (in `zone`) that contains `ms`: the time_average divisor. */
export function periodSecondsAt(ms: number, zone: string): number {
  const start = DateTime.fromMillis(ms, { zone }).startOf('month');
  return start.plus({ months: 1 }).toMillis() / 1000 - start.toMillis() / 1000;
}

/** A bucket's value as the meter shows it; an unknown meter (dropped from the catalogue) shows its sum. */
export function bucketValue(meter: Meter | undefined, b: BucketState, zone: string): string {
  if (meter === undefined) return formatPlain(quantityOfSum(b));
  const q = quantityOf(
    meter,
    b.state,
    meter.aggregation === 'time_average' ? periodSecondsAt(b.bucketMs, zone) : undefined,
  );
  const quotient = meter.aggregation === 'avg' || meter.aggregation === 'time_average';
  return formatPlain(quotient ? q.toDecimalPlaces(QUOTIENT_DIGITS) : q);
}

const quantityOfSum = (b: BucketState) => quantityOf({ aggregation: 'sum' } as Meter, b.state);

function parseInstant(raw: string | undefined, name: string, problems: Problem[]): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const r = parseTimestamp(raw);
  if (r.ok) return r.ms;
  problems.push({ path: name, message: r.reason.replace(/^ts /, '') });
  return undefined;
}

/** Validates the query string into a RollupQuery, or lists every bad parameter. */
export function parseRollupQuery(
  params: Record<string, string | undefined>,
  catalog: Catalog,
  nowMs: number,
): RollupQuery | Problem[] {
  const problems: Problem[] = [];
  const granularity = (params.granularity || 'hour') as Granularity; // blank = not given
  if (!GRANULARITIES.includes(granularity)) {
    problems.push({
      path: 'granularity',
      message: `must be one of ${GRANULARITIES.join(', ')} (got ${JSON.stringify(params.granularity)})`,
    });
  }
  const fromMs = parseInstant(params.from, 'from', problems);
  const toMs = parseInstant(params.to, 'to', problems);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs)
    problems.push({ path: 'to', message: 'must be after from' });
  if (params.meter !== undefined && params.meter !== '' && catalog.meters[params.meter] === undefined) {
    problems.push({ path: 'meter', message: `unknown meter ${JSON.stringify(params.meter)}` });
  }
  if (problems.length > 0) return problems;
  // Default range: the current billing period so far, in the catalogue time zone.
  const defaultFrom = DateTime.fromMillis(nowMs, { zone: catalog.timezone }).startOf('month').toMillis();
  const q: RollupQuery = { granularity, timezone: catalog.timezone, fromMs: fromMs ?? defaultFrom };
  if (toMs !== undefined) q.toMs = toMs;
  if (params.server_id) q.serverId = params.server_id;
  if (params.meter) q.meter = params.meter;
  if (params.customer) q.customer = params.customer;
  return q;
}

const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function rollupsCsv(rows: readonly RollupRow[]): string {
  const lines = ['bucket,server_id,meter,value,unit'];
  for (const r of rows) lines.push([r.bucket, r.server_id, r.meter, r.value, r.unit].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function rollupsRoute(opts: RollupsRouteOptions): Hono {
  const app = new Hono();
  app.get('/v1/rollups', async (c) => {
    const parsed = parseRollupQuery(c.req.query(), opts.catalog, Date.now());
    if (Array.isArray(parsed)) {
      return c.json(
        { error: `bad query: ${parsed.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems: parsed },
        400,
      );
    }
    const confined = opts.confinedTo?.(c);
    if (confined !== undefined) {
      if (parsed.customer !== undefined && parsed.customer !== confined) {
        return c.json({ error: "this key may read only its own customer's rollups" }, 403);
      }
      parsed.customer = confined;
    }
    const buckets = await queryRollups(opts.pool, parsed);
    const rows: RollupRow[] = buckets.map((b) => {
      const meter = opts.catalog.meters[b.meter];
      return {
        bucket: formatInstant(b.bucketMs),
        server_id: b.serverId,
        meter: b.meter,
        value: bucketValue(meter, b, opts.catalog.timezone),
        unit: meter?.unit ?? '',
      };
    });
    if ((c.req.header('accept') ?? '').includes('text/csv')) {
      return c.body(rollupsCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
    }
    return c.json({ rollups: rows });
  });
  return app;
}
