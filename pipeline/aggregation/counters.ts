// Counter series (SPEC §3 kind `counter`): cumulative readings become increases. Samples are
// applied in arrival order; one not newer (by ts) than the newest applied for its series adds
// nothing and changes nothing; otherwise increase = v − previous, or v after a reset (v <
// previous). The first sample ever is the baseline (increase 0) and the baseline carries across
// windows, periods and subscriptions, so this store outlives windows and must be persisted by
// the aggregate role (snapshot/restore).
import { cmpFixed, type Fixed, FIXED_ZERO, formatFixed, parseFixed, subFixed } from './fixed.js';

/** Newest applied reading of one series. */
export interface Reading {
  tsMs: number;
  value: Fixed;
}

/**
 * The series of one server: metric → newest applied reading, with the part of Map's interface
 * the aggregation uses. Catalogues have one or two counter metrics, so the first two live in
 * fields and a Map is made only for a third: a Map per server cost ≈ 180 bytes of the ≈ 510 per
 * server at 100 000 servers (docs/performance.md, "The aggregate role's own memory").
 */
export class ServerSeries implements Iterable<[string, Reading]> {
  private m0: string | undefined;
  private r0: Reading | undefined;
  private m1: string | undefined;
  private r1: Reading | undefined;
  private more: Map<string, Reading> | undefined;

  get(metric: string): Reading | undefined {
    if (this.m0 === metric) return this.r0;
    if (this.m1 === metric) return this.r1;
    return this.more?.get(metric);
  }

  set(metric: string, r: Reading): this {
    if (this.m0 === undefined || this.m0 === metric) {
      this.m0 = metric;
      this.r0 = r;
    } else if (this.m1 === undefined || this.m1 === metric) {
      this.m1 = metric;
      this.r1 = r;
    } else (this.more ??= new Map()).set(metric, r);
    return this;
  }

  get size(): number {
    return (this.m0 === undefined ? 0 : 1) + (this.m1 === undefined ? 0 : 1) + (this.more?.size ?? 0);
  }

  /** In insertion order, like a Map's. */
  *[Symbol.iterator](): IterableIterator<[string, Reading]> {
    if (this.m0 !== undefined) yield [this.m0, this.r0 as Reading];
    if (this.m1 !== undefined) yield [this.m1, this.r1 as Reading];
    if (this.more !== undefined) yield* this.more;
  }

  *values(): IterableIterator<Reading> {
    for (const [, r] of this) yield r;
  }
}

/** [serverId, metric, tsMs, value] per series — JSON-serializable. */
export type CounterSnapshot = Array<[string, string, number, string]>;

/**
 * Applies a reading to the series `metric` of one server and returns the raw increase it
 * contributes (before the meter's factor), or undefined when it is ignored (not newer).
 */
export function applyReading(series: ServerSeries, metric: string, tsMs: number, value: Fixed): Fixed | undefined {
  const prev = series.get(metric);
  if (prev === undefined) {
    series.set(metric, { tsMs, value });
    return FIXED_ZERO; // baseline
  }
  if (tsMs <= prev.tsMs) return undefined;
  // A reset restarts from 0, so the reading itself is the increase. A negative reading is
  // not a counter value; it counts 0 rather than subtracting usage.
  const inc = cmpFixed(value, prev.value) >= 0 ? subFixed(value, prev.value) : value.m < 0n ? FIXED_ZERO : value;
  prev.tsMs = tsMs;
  prev.value = value;
  return inc;
}

/** The baselines of every series seen, grouped by server (one lookup per sample). */
export class CounterBaselines {
  private readonly servers = new Map<string, ServerSeries>();

  /** The series map of a server (created empty if absent); stays valid while this lives. */
  forServer(serverId: string): ServerSeries {
    let s = this.servers.get(serverId);
    if (s === undefined) {
      s = new ServerSeries();
      this.servers.set(serverId, s);
    }
    return s;
  }

  /** Forgets a server's series (its state was swept). */
  drop(serverId: string): void {
    this.servers.delete(serverId);
  }

  apply(serverId: string, metric: string, tsMs: number, value: Fixed): Fixed | undefined {
    return applyReading(this.forServer(serverId), metric, tsMs, value);
  }

  /** The newest applied reading of a series (tests and diagnostics). */
  get(serverId: string, metric: string): { tsMs: number; value: string } | undefined {
    const r = this.servers.get(serverId)?.get(metric);
    return r === undefined ? undefined : { tsMs: r.tsMs, value: formatFixed(r.value) };
  }

  get size(): number {
    let n = 0;
    for (const s of this.servers.values()) n += s.size;
    return n;
  }

  snapshot(): CounterSnapshot {
    const out: CounterSnapshot = [];
    for (const [serverId, series] of this.servers) {
      for (const [metric, r] of series) out.push([serverId, metric, r.tsMs, formatFixed(r.value)]);
    }
    return out;
  }

  static restore(snap: CounterSnapshot): CounterBaselines {
    const c = new CounterBaselines();
    for (const [serverId, metric, tsMs, v] of snap) c.forServer(serverId).set(metric, { tsMs, value: parseFixed(v) });
    return c;
  }
}
