// A deterministic synthetic workload for the pipeline tests, and a reference model that
// computes the expected rollups from it independently of the production aggregation code
// (plain decimal.js arithmetic straight from SPEC §3/§4).
//
// The input has, by construction: duplicates (a sample re-sent with the same id, some after
// many others), out-of-order samples (neighbours swapped, within the lateness), late samples
// (held back past the allowed lateness, so they become corrections), and counter resets.
import { Decimal as DecimalJs } from 'decimal.js';

/** 60 significant digits: enough that the only inexact step (integral's ÷ per_seconds) is far below the compared digits. */
const Decimal = DecimalJs.clone({ precision: 60 });
type Decimal = InstanceType<typeof Decimal>;
import type { Sample } from '../../pipeline/samples/sample.js';

export const CATALOG_YAML = `
currency: USD
timezone: UTC
meters:
  requests:  { metric: http_requests, kind: delta, unit: request }
  bandwidth: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak:  { metric: cpu, kind: gauge, aggregation: max, unit: "%" }
  cpu_low:   { metric: cpu, kind: gauge, aggregation: min, unit: "%" }
  cpu_mean:  { metric: cpu, kind: gauge, aggregation: avg, unit: "%" }
  cpu_last:  { metric: cpu, kind: gauge, aggregation: latest, unit: "%" }
  cpu_n:     { metric: cpu, kind: gauge, aggregation: count, unit: sample }
  ip_hours:  { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  ssd:       { metric: disk_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  dcs:       { metric: cpu, kind: gauge, aggregation: unique, label: dc, unit: dc }
plans:
  p: { base_fee: { amount: "1.00", per: month } }
customers: {}
subscriptions: []
`;

type Agg =
  'sum' | 'counter' | 'max' | 'min' | 'avg' | 'latest' | 'count' | 'integral' | 'time_average' | 'unique';
export interface RefMeter {
  name: string;
  metric: string;
  agg: Agg;
  factor: string;
  perSeconds?: string;
}
/** The catalogue's meters as the reference reads them (kept beside CATALOG_YAML on purpose). */
export const REF_METERS: RefMeter[] = [
  { name: 'requests', metric: 'http_requests', agg: 'sum', factor: '1' },
  { name: 'bandwidth', metric: 'net_tx_bytes', agg: 'counter', factor: '1e-9' },
  { name: 'cpu_peak', metric: 'cpu', agg: 'max', factor: '1' },
  { name: 'cpu_low', metric: 'cpu', agg: 'min', factor: '1' },
  { name: 'cpu_mean', metric: 'cpu', agg: 'avg', factor: '1' },
  { name: 'cpu_last', metric: 'cpu', agg: 'latest', factor: '1' },
  { name: 'cpu_n', metric: 'cpu', agg: 'count', factor: '1' },
  { name: 'ip_hours', metric: 'public_ips', agg: 'integral', factor: '1', perSeconds: '3600' },
  { name: 'ssd', metric: 'disk_gb', agg: 'time_average', factor: '1' },
  { name: 'dcs', metric: 'cpu', agg: 'unique', factor: '1' },
];
const DEFAULT_INTERVAL_S = '60';

/** mulberry32: a small seeded PRNG, so every run sends the same input. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOptions {
  servers: number;
  samplesPerServer: number;
  stepMs: number;
  startMs: number;
  /** Samples held back this long (event time) past their neighbours: later than the lateness. */
  lateByMs: number;
  seed: number;
}

/** Samples in send order. Each server's samples stay in one (key-hashed) partition. */
export function workload(o: WorkloadOptions): Sample[] {
  const rand = rng(o.seed);
  const perServer: Sample[][] = [];
  for (let s = 0; s < o.servers; s++) {
    const serverId = `srv-${String(s).padStart(4, '0')}`;
    const list: Sample[] = [];
    let bytes = BigInt(1_000_000 + s);
    const held: { sample: Sample; releaseAtMs: number }[] = [];
    for (let i = 0; i < o.samplesPerServer; i++) {
      // Unique ms per sample and server (no latest-ties): step plus a per-sample jitter.
      const tsMs = o.startMs + i * o.stepMs + ((s * 7 + i * 13) % 997);
      bytes =
        rand() < 0.01
          ? BigInt(Math.floor(rand() * 5000))
          : bytes + BigInt(Math.floor(rand() * 3_000_000_000));
      const sample: Sample = {
        id: `${serverId}-${i}`,
        serverId,
        tsMs,
        ...(i % 3 === 0 ? {} : { intervalS: String(o.stepMs / 1000) }),
        metrics: {
          http_requests: String(Math.floor(rand() * 1000)),
          net_tx_bytes: bytes.toString(),
          cpu: (Math.floor(rand() * 1000) / 10).toString(),
          public_ips: String(1 + Math.floor(rand() * 3)),
          disk_gb: String(100 + Math.floor(rand() * 400)),
        },
        labels: { dc: ['fra1', 'ams2', 'lon3'][Math.floor(rand() * 3)] as string },
      };
      const r = rand();
      if (r < 0.01) {
        held.push({ sample, releaseAtMs: tsMs + o.lateByMs }); // late past the lateness
      } else {
        list.push(sample);
        if (r < 0.04)
          list.push({ ...sample }); // an immediate duplicate
        else if (r < 0.06 && list.length > 5) list.splice(list.length - 2, 0, list.pop() as Sample); // out of order
      }
      for (let h = held.length - 1; h >= 0; h--) {
        if ((held[h] as { releaseAtMs: number }).releaseAtMs <= tsMs)
          list.push((held.splice(h, 1)[0] as { sample: Sample }).sample);
      }
      if (rand() < 0.01 && list.length > 50) list.push({ ...(list[list.length - 40] as Sample) }); // a much later duplicate
    }
    for (const h of held) list.push(h.sample);
    perServer.push(list);
  }
  // Interleave servers round-robin, as a fleet of agents would.
  const out: Sample[] = [];
  for (let i = 0; perServer.some((l) => i < l.length); i++)
    for (const l of perServer) if (i < l.length) out.push(l[i] as Sample);
  return out;
}

/** Expected merged value of one (server, meter, window): the fields the meter's usage needs. */
export interface Expected {
  count: number;
  sum: string;
  max?: string;
  min?: string;
  latest?: string;
  distinct?: string[];
}

interface Acc {
  count: number;
  sum: Decimal;
  max?: Decimal;
  min?: Decimal;
  latest?: Decimal;
  latestTs: number;
  distinct: Set<string>;
}

export const rowKey = (serverId: string, meter: string, windowStartMs: number): string =>
  `${serverId}|${meter}|${windowStartMs}`;

/** The reference model: dedup by id (first arrival counts), counters in arrival order, every sample whole in its window. */
export function expectedRollups(
  samples: readonly Sample[],
  windowMs: number,
  meters: readonly RefMeter[] = REF_METERS,
): Map<string, Expected> {
  const seen = new Set<string>();
  const counters = new Map<string, { v: Decimal; ts: number }>();
  const accs = new Map<string, Acc>();
  for (const s of samples) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    const w = Math.floor(s.tsMs / windowMs) * windowMs;
    for (const m of meters) {
      const raw = s.metrics[m.metric];
      if (raw === undefined) continue;
      let v = new Decimal(raw);
      if (m.agg === 'counter') {
        const key = `${s.serverId}|${m.metric}`;
        const prev = counters.get(key);
        if (prev !== undefined && s.tsMs <= prev.ts) continue; // not newer: adds nothing
        counters.set(key, { v, ts: s.tsMs });
        v = prev === undefined ? new Decimal(0) : v.lt(prev.v) ? v : v.minus(prev.v); // baseline, reset, increase
      }
      v = v.times(m.factor);
      const k = rowKey(s.serverId, m.name, w);
      let a = accs.get(k);
      if (a === undefined) {
        a = { count: 0, sum: new Decimal(0), latestTs: -Infinity, distinct: new Set() };
        accs.set(k, a);
      }
      a.count++;
      const interval = new Decimal(s.intervalS ?? DEFAULT_INTERVAL_S);
      if (m.agg === 'sum' || m.agg === 'counter' || m.agg === 'avg') a.sum = a.sum.plus(v);
      if (m.agg === 'integral') a.sum = a.sum.plus(v.times(interval).div(m.perSeconds as string));
      if (m.agg === 'time_average') a.sum = a.sum.plus(v.times(interval));
      if (m.agg === 'max' && (a.max === undefined || v.gt(a.max))) a.max = v;
      if (m.agg === 'min' && (a.min === undefined || v.lt(a.min))) a.min = v;
      if (m.agg === 'latest' && s.tsMs > a.latestTs) {
        a.latest = v;
        a.latestTs = s.tsMs;
      }
      if (m.agg === 'unique' && s.labels.dc !== undefined) a.distinct.add(s.labels.dc);
    }
  }
  const out = new Map<string, Expected>();
  for (const [k, a] of accs) {
    const meter = meters.find((m) => m.name === k.split('|')[1]) as RefMeter;
    const e: Expected = {
      count: a.count,
      sum:
        meter.agg === 'sum' ||
        meter.agg === 'counter' ||
        meter.agg === 'avg' ||
        meter.agg === 'integral' ||
        meter.agg === 'time_average'
          ? a.sum.toFixed()
          : '0',
    };
    if (a.max !== undefined) e.max = a.max.toFixed();
    if (a.min !== undefined) e.min = a.min.toFixed();
    if (a.latest !== undefined) e.latest = a.latest.toFixed();
    if (meter.agg === 'unique') e.distinct = [...a.distinct].sort();
    out.set(k, e);
  }
  return out;
}

/** Which fields the reference and the store must agree on, per meter. */
export function comparable(
  meter: string,
  e: Expected,
  meters: readonly RefMeter[] = REF_METERS,
): Record<string, unknown> {
  const agg = (meters.find((m) => m.name === meter) as RefMeter).agg;
  switch (agg) {
    case 'sum':
    case 'counter':
    case 'time_average':
      return { sum: new Decimal(e.sum).toFixed() };
    case 'integral':
      // ÷ per_seconds makes repeating decimals: equal to 30 fraction digits (far below any
      // billed digit) rather than to the last of 60 significant digits, which depends on
      // where the division happens (per sample or per sum).
      return { sum: new Decimal(e.sum).toDecimalPlaces(30).toFixed() };
    case 'avg':
      return { count: e.count, sum: new Decimal(e.sum).toFixed() };
    case 'max':
      return { max: e.max === undefined ? undefined : new Decimal(e.max).toFixed() };
    case 'min':
      return { min: e.min === undefined ? undefined : new Decimal(e.min).toFixed() };
    case 'latest':
      return { latest: e.latest === undefined ? undefined : new Decimal(e.latest).toFixed() };
    case 'count':
      return { count: e.count };
    case 'unique':
      return { distinct: e.distinct };
  }
}
