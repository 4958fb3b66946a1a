// Pure shaping of GET /v1/rollups rows for the usage page: one chart per meter (a series per
// server, plus the fleet total), and the top servers of each meter over the range. Values stay
// the API's decimal strings; totals are exact decimal sums (decimal.js), never float sums.
import type { Aggregation } from '../catalog/types.js';
import { dec, formatPlain, type Decimal } from '../lib/decimal.js';
import type { RollupRow } from '../api/routes/rollups.js';

export type { RollupRow };

export interface Series {
  label: string;
  /** One per bucket of the chart; null where the server has no rollup in that bucket. */
  values: (string | null)[];
}

export interface ChartGroup {
  meter: string;
  unit: string;
  buckets: string[];
  /** One series per server: exactly the API's rows. */
  series: Series[];
  /** Per bucket, the servers combined (finance's fleet view, combinable meters, > 1 server). */
  fleet?: (string | null)[];
  /** Servers by their combined value over the range, largest first (combinable meters only). */
  top: { server_id: string; value: string }[];
  /**
   * The servers drawn on the chart: all of them up to MAX_PLOTTED, else the top ones (or the
   * first ones by id when the meter has no total). A fleet of thousands stays readable and the
   * page small; the fleet total still covers every server.
   */
  plotted: string[];
}

export const MAX_PLOTTED = 10;

type Combine = (a: Decimal, b: Decimal) => Decimal;

/**
 * How values of different servers (or buckets) combine: quantities that add up (sums, counts,
 * integrals, time averages — a month's time averages add to the month's) add; peaks take the
 * extreme. A mean, a newest value or a distinct count has no total without the raw data.
 */
export function combinerOf(aggregation: Aggregation | undefined): Combine | undefined {
  switch (aggregation) {
    case 'sum': case 'count': case 'integral': case 'time_average': return (a, b) => a.plus(b);
    case 'max': return (a, b) => (a.gte(b) ? a : b);
    case 'min': return (a, b) => (a.lte(b) ? a : b);
    default: return undefined;
  }
}

const TOP = 10;

/** Charts per meter, in meter order; rows arrive sorted by bucket, server, meter (SPEC §10). */
export function chartGroups(rows: readonly RollupRow[], aggregationOf: (meter: string) => Aggregation | undefined, withFleet: boolean): ChartGroup[] {
  const byMeter = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const list = byMeter.get(r.meter) ?? [];
    list.push(r);
    byMeter.set(r.meter, list);
  }
  return [...byMeter.keys()].sort().map((meter) => {
    const list = byMeter.get(meter)!;
    const buckets = [...new Set(list.map((r) => r.bucket))].sort();
    const index = new Map(buckets.map((b, i) => [b, i]));
    const servers = [...new Set(list.map((r) => r.server_id))].sort();
    const series = new Map(servers.map((s) => [s, new Array<string | null>(buckets.length).fill(null)]));
    for (const r of list) series.get(r.server_id)![index.get(r.bucket)!] = r.value;
    const combine = combinerOf(aggregationOf(meter));
    const out: Series[] = servers.map((s) => ({ label: s, values: series.get(s)! }));
    let top: ChartGroup['top'] = [];
    let fleet: (string | null)[] | undefined;
    if (combine) {
      if (withFleet && servers.length > 1) fleet = buckets.map((_, i) => reduce(servers.map((s) => series.get(s)![i] ?? null), combine));
      top = servers
        .map((s) => ({ server_id: s, total: reduceDec(series.get(s)!, combine) }))
        .filter((t): t is { server_id: string; total: Decimal } => t.total !== undefined)
        .sort((a, b) => b.total.comparedTo(a.total) || a.server_id.localeCompare(b.server_id))
        .slice(0, TOP)
        .map((t) => ({ server_id: t.server_id, value: formatPlain(t.total) }));
    }
    const plotted = servers.length <= MAX_PLOTTED ? servers : top.length > 0 ? top.slice(0, MAX_PLOTTED).map((t) => t.server_id) : servers.slice(0, MAX_PLOTTED);
    return { meter, unit: list[0]!.unit, buckets, series: out, ...(fleet ? { fleet } : {}), top, plotted };
  });
}

function reduceDec(values: readonly (string | null)[], combine: Combine): Decimal | undefined {
  let acc: Decimal | undefined;
  for (const v of values) if (v !== null) acc = acc === undefined ? dec(v) : combine(acc, dec(v));
  return acc;
}

const reduce = (values: readonly (string | null)[], combine: Combine): string | null => {
  const d = reduceDec(values, combine);
  return d === undefined ? null : formatPlain(d);
};
