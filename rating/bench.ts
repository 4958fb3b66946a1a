// `meterline bench rate` (SPEC §11): rollups → invoices in embedded mode, rollups/s. A month of
// hourly rollups of N servers (default 10,000 × 744 h × 3 metered charges ≈ 22M parts) is
// folded per subscription and meter exactly as `bill` folds the aggregator's parts, then every
// customer's invoice is rated. Parts are generated on the fly (one reused object per meter), so
// the figure is the rating path's, not the generator's allocation. Latency = time to fold one
// batch of parts.
import { performance } from 'node:perf_hooks';
import { parseFlags } from '../cli/args.js';
import { UsageError } from '../cli/command.js';
import { parseCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/types.js';
import type { RollupPart, RollupState } from '../pipeline/aggregation/rollup.js';
import { latencySummary, report, type BenchModule } from '../bench/report.js';
import { SubscriptionIndex } from './attribution.js';
import { UsageCollector } from './embedded/usage-collector.js';
import { parsePeriod } from './period.js';
import { ratePeriod } from './rate-period.js';

export interface RateBenchOptions {
  servers: number;
  /** `YYYY-MM` (UTC); every hour of it gets one part per meter and server. */
  period: string;
  /** Parts folded between two latency measurements. */
  batch: number;
}

export interface RateBenchResult {
  rollups: number;
  invoices: number;
  lines: number;
  /** Each customer's invoice total (fixed to the cent), so the workload itself can be checked. */
  totals: Record<string, string>;
  foldSeconds: number;
  rateSeconds: number;
  rollupsPerSecond: number;
  batchLatenciesMs: number[];
}

const id = (i: number): string => `srv-${String(i).padStart(6, '0')}`;

/** A catalogue like SPEC §5 with `servers` subscriptions over 100 customers. */
export function benchCatalog(servers: number, period: string): Catalog {
  const from = `${period}-01T00:00:00Z`;
  const subs: string[] = [];
  for (let i = 0; i < servers; i++) {
    subs.push(`  - { server_id: ${id(i)}, customer: c${i % 100}, plan: ${i % 4 === 0 ? 'c4-hourly' : 'd8-monthly'}, from: "${from}" }`);
  }
  const customers = Array.from({ length: Math.min(100, servers) }, (_, c) => `  c${c}: { contract: { discount_pct: "5", minimum_commit: "1000.00" } }`);
  return parseCatalog(`currency: USD
timezone: UTC
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  ssd_extra_gb:     { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:         { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
plans:
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }
    charges: [ { meter: bandwidth_out_gb, model: per_unit, unit_price: "0.01" } ]
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: ssd_extra_gb, model: per_unit, unit_price: "0.10" }
      - { meter: ip_hours, model: per_unit, unit_price: "0.004" }
customers:
${customers.join('\n')}
subscriptions:
${subs.join('\n')}
`);
}

/** Hourly states as the aggregator would emit them (60 one-minute samples folded). */
const STATES: Record<string, RollupState[]> = {
  bandwidth_out_gb: ['12.345678901', '0.5', '731.000000007'].map((sum) => ({ count: 60, sum })),
  ssd_extra_gb: ['720000', '0', '360000'].map((sum) => ({ count: 60, sum })), // GB × seconds
  ip_hours: ['1', '2', '3'].map((sum) => ({ count: 60, sum })),
};

export function benchRate(o: RateBenchOptions): RateBenchResult {
  const catalog = benchCatalog(o.servers, o.period);
  const period = parsePeriod(o.period, 'UTC');
  const collector = new UsageCollector(catalog, period, new SubscriptionIndex(catalog.subscriptions));
  const meters = Object.keys(STATES);
  const parts: RollupPart[] = meters.map((meter) => ({
    partId: '', serverId: '', meter, windowStartMs: 0, windowEndMs: 0, correction: false, state: STATES[meter]![0]!,
  }));
  const latencies: number[] = [];
  let rollups = 0;
  let inBatch = 0;
  const t0 = performance.now();
  let tb = t0;
  for (let h = period.startMs; h < period.endMs; h += 3_600_000) {
    for (let s = 0; s < o.servers; s++) {
      const serverId = id(s);
      for (let m = 0; m < parts.length; m++) {
        const p = parts[m]!;
        p.serverId = serverId;
        p.windowStartMs = h;
        p.windowEndMs = h + 3_600_000;
        p.state = STATES[p.meter]![(s + h / 3_600_000) % 3]!;
        collector.add(p);
        rollups++;
        if (++inBatch === o.batch) {
          const now = performance.now();
          latencies.push(now - tb);
          tb = now;
          inBatch = 0;
        }
      }
    }
  }
  const t1 = performance.now();
  const invoices = ratePeriod({ catalog, period, usage: collector.usage() });
  const t2 = performance.now();
  return {
    rollups,
    invoices: invoices.length,
    lines: invoices.reduce((n, i) => n + i.lines.length, 0),
    totals: Object.fromEntries(invoices.map((i) => [i.customer, i.total.toFixed(2)])),
    foldSeconds: (t1 - t0) / 1000,
    rateSeconds: (t2 - t1) / 1000,
    rollupsPerSecond: rollups / ((t2 - t0) / 1000),
    batchLatenciesMs: latencies,
  };
}

/** For cli/commands/bench.ts: `meterline bench rate [--servers N] [--period YYYY-MM] [--batch N]`. */
export const bench: BenchModule = {
  summary: 'rollups → invoices (embedded): a month of hourly rollups through the rating core; rollups/s, p50/p99 per batch',
  async run(argv) {
    const { values } = parseFlags(argv, {
      servers: { type: 'string', default: '10000' },
      period: { type: 'string', default: '2026-10' },
      batch: { type: 'string', default: '10000' },
    });
    const servers = Number(values.servers);
    const batch = Number(values.batch);
    if (!Number.isInteger(servers) || servers < 1 || servers > 100_000) throw new UsageError('--servers must be 1…100000');
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch must be a positive integer');
    const r = benchRate({ servers, period: values.period, batch });
    report({
      bench: 'rate',
      perSecond: r.rollupsPerSecond,
      unit: 'rollups/s',
      ...(r.batchLatenciesMs.length > 0 ? { latencyMs: latencySummary(r.batchLatenciesMs, `fold of ${batch} rollups`) } : {}),
      details: { servers, period: values.period, rollups: r.rollups, invoices: r.invoices, lines: r.lines, foldSeconds: r.foldSeconds, rateSeconds: r.rateSeconds },
    });
    return 0;
  },
};
