// The aggregate role's commit latency as a separate process reports it: the histogram
// `meterline_aggregate_commit_seconds` of its /metrics. A histogram gives a quantile only as the
// bucket it falls in, so the bench prints the bucket's upper bound ("p99 ≤ 0.5 s"); the phase
// at the fleet's pace is the difference of two scrapes.

const NAME = 'meterline_aggregate_commit_seconds_bucket';

/** Cumulative counts by upper bound (le), in the text's order (prom-client writes them ascending). */
export function commitBuckets(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = new RegExp(`^${NAME}\\{le="([^"]+)"\\}\\s+(\\S+)`, 'gm');
  for (const m of text.matchAll(re)) out.push([m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])]);
  return out;
}

/** `later` minus `earlier`, bucket by bucket (the commits between two scrapes). */
export function bucketsSince(later: Array<[number, number]>, earlier: Array<[number, number]>): Array<[number, number]> {
  const before = new Map(earlier);
  return later.map(([le, n]) => [le, n - (before.get(le) ?? 0)]);
}

/** The upper bound of the bucket holding quantile q, and the commits counted; undefined: none. */
export function quantileBound(buckets: Array<[number, number]>, q: number): { atMostS: number; commits: number } | undefined {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const bucket = buckets.find(([, n]) => n >= q * total);
  return { atMostS: (bucket as [number, number])[0], commits: total };
}

/**
 * "≤ 0.5 s of 1234 commits", or "> 60 s of …" past the last finite bound (the histogram's own
 * bounds, not assumed); undefined: no commit.
 */
export function quantileText(buckets: Array<[number, number]>, q: number): string | undefined {
  const b = quantileBound(buckets, q);
  if (b === undefined) return undefined;
  if (Number.isFinite(b.atMostS)) return `≤ ${b.atMostS} s of ${b.commits} commits`;
  const lastFinite = buckets.filter(([le]) => Number.isFinite(le)).at(-1)?.[0];
  return `> ${lastFinite ?? 0} s of ${b.commits} commits`;
}
