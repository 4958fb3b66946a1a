// Property tests: the Aggregator against a small independent reference model (decimal.js,
// written here without the production aggregation code), under arbitrary arrival order,
// lateness, partitioning and snapshot/restore splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../../../lib/decimal.js';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import type { Meter } from '../../../catalog/types.js';
import type { Sample } from '../../../pipeline/samples/sample.js';
import { splitPointsFrom } from '../../../pipeline/windows/segments.js';
import { meter, T0, MIN } from './helpers.js';

const GAUGE_METERS: Meter[] = [
  meter('req', 'r', 'delta', 'sum', { factor: '0.5' }),
  meter('peak', 'g', 'gauge', 'max'),
  meter('low', 'g', 'gauge', 'min', { factor: '3' }),
  meter('mean', 'g', 'gauge', 'avg'),
  meter('last', 'g', 'gauge', 'latest'),
  meter('ipm', 'g', 'gauge', 'integral', { perSeconds: '7', intervalS: '30' }),
  meter('tavg', 'g', 'gauge', 'time_average'),
  meter('n', 'r', 'delta', 'count'),
  meter('dcs', 'g', 'gauge', 'unique', { label: 'dc' }),
];
const COUNTER = meter('bytes', 'c', 'counter', 'sum', { factor: '1e-3' });

/** What the reference keeps per (server, meter, window). */
interface Ref {
  count: number;
  sum: Decimal;
  max?: Decimal;
  min?: Decimal;
  latest?: { ts: number; v: Decimal };
  distinct: Set<string>;
}

/** Reference model: straight from SPEC §3, samples in arrival order, one window per sample. */
function reference(meters: Meter[], samples: Sample[], windowMs: number): Map<string, Ref> {
  const out = new Map<string, Ref>();
  const lastCounter = new Map<string, { ts: number; v: Decimal }>();
  const increases = new Map<Sample, Map<string, Decimal | null>>();
  for (const s of samples) {
    const incs = new Map<string, Decimal | null>();
    for (const metric of new Set(meters.filter((m) => m.kind === 'counter').map((m) => m.metric))) {
      const raw = s.metrics[metric];
      if (raw === undefined) continue;
      const v = new Decimal(raw);
      const key = JSON.stringify([s.serverId, metric]);
      const prev = lastCounter.get(key);
      if (prev === undefined) incs.set(metric, new Decimal(0));
      else if (s.tsMs <= prev.ts) incs.set(metric, null);
      else incs.set(metric, v.gte(prev.v) ? v.minus(prev.v) : v);
      if (prev === undefined || s.tsMs > prev.ts) lastCounter.set(key, { ts: s.tsMs, v });
    }
    increases.set(s, incs);
    for (const m of meters) {
      const raw = s.metrics[m.metric];
      if (raw === undefined) continue;
      const inc = incs.get(m.metric);
      if (m.kind === 'counter' && inc === null) continue;
      const v = (m.kind === 'counter' ? (inc as Decimal) : new Decimal(raw)).times(m.factor);
      const interval = new Decimal(s.intervalS ?? m.intervalS);
      const key = `${s.serverId}|${m.name}|${Math.floor(s.tsMs / windowMs) * windowMs}`;
      const r = out.get(key) ?? { count: 0, sum: new Decimal(0), distinct: new Set<string>() };
      out.set(key, r);
      r.count++;
      switch (m.aggregation) {
        case 'sum': case 'avg': r.sum = r.sum.plus(v); break;
        case 'integral': r.sum = r.sum.plus(v.times(interval).div(m.perSeconds)); break;
        case 'time_average': r.sum = r.sum.plus(v.times(interval)); break;
        case 'max': if (r.max === undefined || v.gt(r.max)) r.max = v; break;
        case 'min': if (r.min === undefined || v.lt(r.min)) r.min = v; break;
        case 'latest': if (r.latest === undefined || s.tsMs > r.latest.ts || (s.tsMs === r.latest.ts && v.gt(r.latest.v))) r.latest = { ts: s.tsMs, v }; break;
        case 'unique': { const l = s.labels[m.label ?? '']; if (l !== undefined) r.distinct.add(l); break; }
        case 'count': break;
      }
    }
  }
  return out;
}

/** The aggregator's parts merged per (server, meter, window) — merged here, not by state.ts. */
function mergeParts(parts: RollupPart[], windowMs: number): Map<string, Ref> {
  const out = new Map<string, Ref>();
  for (const p of parts) {
    const key = `${p.serverId}|${p.meter}|${Math.floor(p.windowStartMs / windowMs) * windowMs}`;
    const r = out.get(key) ?? { count: 0, sum: new Decimal(0), distinct: new Set<string>() };
    out.set(key, r);
    const s = p.state;
    r.count += s.count;
    r.sum = r.sum.plus(s.sum);
    if (s.max !== undefined && (r.max === undefined || r.max.lt(s.max))) r.max = new Decimal(s.max);
    if (s.min !== undefined && (r.min === undefined || r.min.gt(s.min))) r.min = new Decimal(s.min);
    if (s.latest !== undefined) {
      const ts = s.latestTsMs ?? 0;
      if (r.latest === undefined || ts > r.latest.ts || (ts === r.latest.ts && r.latest.v.lt(s.latest))) r.latest = { ts, v: new Decimal(s.latest) };
    }
    for (const d of s.distinct ?? []) r.distinct.add(d);
  }
  return out;
}

/** Comparable text: sums to 30 places (integral parts are 60-digit quotients), the rest exact. */
const view = (m: Map<string, Ref>): Record<string, string> =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, r]) => [k, [
    r.count, r.sum.toFixed(30), r.max?.toString(), r.min?.toString(), r.latest ? `${r.latest.ts}:${r.latest.v.toString()}` : '', [...r.distinct].sort().join(','),
  ].join(' ')]));

const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 5000 }).map(String),
  fc.tuple(fc.integer({ min: -50, max: 500 }), fc.integer({ min: 0, max: 999 })).map(([i, f]) => `${i}.${String(f).padStart(3, '0')}`),
  fc.constantFrom('1e-3', '2.5E2', '0'),
);

const sampleArb = fc.record({
  srv: fc.constantFrom('a', 'b', 'c'),
  // ten 1-minute windows; window edges and repeated instants are picked often on purpose
  sec: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(0, 59, 60, 61, 120, 300)),
  r: fc.option(valueArb, { nil: undefined }),
  g: fc.option(valueArb, { nil: undefined }),
  c: fc.integer({ min: 0, max: 3000 }),
  interval: fc.option(fc.constantFrom('10', '60', '0.5'), { nil: undefined }),
  dc: fc.option(fc.constantFrom('fra1', 'ams1'), { nil: undefined }),
});

let ids = 0;
type Gen = typeof sampleArb extends fc.Arbitrary<infer T> ? T : never;
const toSample = (x: Gen, withCounter: boolean): Sample => {
  const metrics: Record<string, string> = {};
  if (x.r !== undefined) metrics.r = x.r;
  if (x.g !== undefined) metrics.g = x.g;
  if (withCounter) metrics.c = String(x.c);
  const s: Sample = { id: `p${++ids}`, serverId: x.srv, tsMs: T0 + x.sec * 1000, metrics, labels: x.dc === undefined ? {} : { dc: x.dc } };
  if (x.interval !== undefined) s.intervalS = x.interval;
  return s;
};

/** Runs samples through an Aggregator; `cut` = index at which to snapshot, JSON and restore. */
function run(config: AggregatorConfig, samples: Sample[], partitions: number, cut?: number): RollupPart[] {
  let agg = new Aggregator(config);
  const out: RollupPart[] = [];
  samples.forEach((s, i) => {
    if (i === cut) {
      const snap = JSON.parse(JSON.stringify(agg.snapshot()));
      agg = new Aggregator(config);
      agg.restore(snap);
    }
    // a server always lives on one partition (Kafka keying by server_id)
    const partition = s.serverId.charCodeAt(0) % partitions;
    out.push(...agg.add(s, { partition, offset: String(i) }, i));
    if (i % 17 === 16) out.push(...agg.tick(i));
  });
  return [...out, ...agg.flushAll()];
}

const configArb = fc.record({ lateness: fc.constantFrom(0, 5_000, 60_000, 600_000), partitions: fc.integer({ min: 1, max: 3 }) });

test('aggregator = reference model on random series (gauges, deltas and counters in arrival order)', () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { maxLength: 60 }), configArb, (xs, c) => {
      const meters = [...GAUGE_METERS, COUNTER];
      const samples = xs.map((x) => toSample(x, true));
      const config = { meters, windowMs: MIN, allowedLatenessMs: c.lateness, idleTimeoutMs: 5 };
      assert.deepEqual(view(mergeParts(run(config, samples, c.partitions), MIN)), view(reference(meters, samples, MIN)));
    }),
    { numRuns: 150 },
  );
});

test('gauge and delta totals do not depend on arrival order, partitioning or a snapshot/restore split', () => {
  fc.assert(
    fc.property(
      fc.array(sampleArb, { minLength: 1, maxLength: 60 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }), fc.nat(xs.length))),
      configArb,
      ([xs, shuffled, cut], c) => {
        const config = { meters: GAUGE_METERS, windowMs: MIN, allowedLatenessMs: c.lateness, idleTimeoutMs: 5 };
        const inOrder = view(mergeParts(run(config, xs.map((x) => toSample(x, false)), 1), MIN));
        const reordered = view(mergeParts(run(config, shuffled.map((x) => toSample(x, false)), c.partitions, cut), MIN));
        assert.deepEqual(reordered, inOrder);
      },
    ),
    { numRuns: 150 },
  );
});

test('a snapshot/restore split changes no part at all, counters included', () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { minLength: 1, maxLength: 60 }).chain((xs) => fc.tuple(fc.constant(xs), fc.nat(xs.length - 1))), configArb, ([xs, cut], c) => {
      const samples = xs.map((x) => toSample(x, true));
      const config = { meters: [...GAUGE_METERS, COUNTER], windowMs: MIN, allowedLatenessMs: c.lateness, idleTimeoutMs: 5 };
      assert.deepEqual(run(config, samples, c.partitions, cut), run(config, samples, c.partitions));
    }),
    { numRuns: 100 },
  );
});

test('totals between split points do not depend on the base window size (what lets bill use long windows)', () => {
  const bounds = [T0 + 150_000, T0 + 420_000]; // e.g. a subscription start and a period start
  const interval = (ms: number): number => bounds.filter((b) => b <= ms).length;
  fc.assert(
    fc.property(fc.array(sampleArb, { maxLength: 60 }), configArb, (xs, c) => {
      const samples = xs.map((x) => toSample(x, true));
      const totals = (windowMs: number): Record<string, string> => {
        const config = { meters: [...GAUGE_METERS, COUNTER], windowMs, allowedLatenessMs: c.lateness, idleTimeoutMs: 5, splitPoints: splitPointsFrom(bounds) };
        const parts = run(config, samples, c.partitions);
        for (const p of parts) assert.equal(interval(p.windowStartMs), interval(p.windowEndMs - 1), 'no part straddles a split point');
        // re-key every part by the split interval it lies in, then merge as before
        return view(mergeParts(parts.map((p) => ({ ...p, windowStartMs: interval(p.windowStartMs) })), 1));
      };
      assert.deepEqual(totals(MIN), totals(24 * 60 * MIN));
    }),
    { numRuns: 100 },
  );
});
