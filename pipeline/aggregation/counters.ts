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

/** The raw increase of a reading over the previous one of its series (see the top of this file). */
function increase(value: Fixed, prev: Fixed): Fixed {
  // A reset restarts from 0, so the reading itself is the increase. A negative reading is
  // not a counter value; it counts 0 rather than subtracting usage.
  return cmpFixed(value, prev) >= 0 ? subFixed(value, prev) : value.m < 0n ? FIXED_ZERO : value;
}

/**
 * A reading's value as a series keeps it: its mantissa as a number while that is a safe integer
 * (the scale beside it), else the value itself. A Fixed and its BigInt cost ≈ 64 bytes per
 * series, kept for as long as the server lives; a number is held in the field itself, or in a
 * 16-byte box past 31 bits (a byte counter).
 */
type Held = number | Fixed;

/** `n`: Number(v.m), when the caller has it already (once per sample on the hot path). */
function held(v: Fixed, n = Number(v.m)): Held {
  return Number.isSafeInteger(n) ? n : v; // a BigInt past 2^53 − 1 converts to no safe integer
}

const valueOf = (h: Held, s: number): Fixed => (typeof h === 'number' ? { m: BigInt(h), s } : h);

/**
 * increase(value, previous) over a held previous value, `n` being Number(value.m): in numbers
 * when both are safe integers of one scale.
 */
function increaseOver(value: Fixed, n: number, prev: Held, prevS: number): Fixed {
  if (typeof prev === 'number' && value.s === prevS) {
    if (Number.isSafeInteger(n)) {
      if (n < prev) return n < 0 ? FIXED_ZERO : value; // a reset, as in increase()
      const d = n - prev;
      if (Number.isSafeInteger(d)) return { m: BigInt(d), s: prevS };
    }
  }
  return increase(value, valueOf(prev, prevS));
}

/**
 * The series of one server: metric → newest applied reading, with the part of Map's interface
 * the aggregation uses. Catalogues have one or two counter metrics, so the first two readings
 * live in fields (time and value, no Reading object) and a Map is made only for a third: at
 * 100 000 servers a Map per server cost ≈ 180 bytes, a Reading object ≈ 56 (docs/performance.md,
 * "The aggregate role's own memory"). The aggregate role's ServerState extends this class, so a
 * server's series and its open rows are one object.
 */
export class ServerSeries implements Iterable<[string, Reading]> {
  private m0: string | undefined;
  // Times start as numbers, not undefined, so V8 keeps them as doubles updated in place.
  private t0 = 0;
  private v0: Held = 0;
  private s0 = 0;
  private m1: string | undefined;
  private t1 = 0;
  private v1: Held = 0;
  private s1 = 0;
  private more: Map<string, Reading> | undefined;

  get(metric: string): Reading | undefined {
    if (this.m0 === metric) return { tsMs: this.t0, value: valueOf(this.v0, this.s0) };
    if (this.m1 === metric) return { tsMs: this.t1, value: valueOf(this.v1, this.s1) };
    return this.more?.get(metric);
  }

  set(metric: string, r: Reading): this {
    if (this.m0 === undefined || this.m0 === metric) {
      this.m0 = metric;
      this.t0 = r.tsMs;
      this.v0 = held(r.value);
      this.s0 = r.value.s;
    } else if (this.m1 === undefined || this.m1 === metric) {
      this.m1 = metric;
      this.t1 = r.tsMs;
      this.v1 = held(r.value);
      this.s1 = r.value.s;
    } else (this.more ??= new Map()).set(metric, { tsMs: r.tsMs, value: r.value });
    return this;
  }

  /** applyReading on this server's series `metric`. */
  apply(metric: string, tsMs: number, value: Fixed): Fixed | undefined {
    if (this.m0 === metric) {
      if (tsMs <= this.t0) return undefined;
      const n = Number(value.m);
      const inc = increaseOver(value, n, this.v0, this.s0);
      this.t0 = tsMs;
      this.v0 = held(value, n);
      this.s0 = value.s;
      return inc;
    }
    if (this.m1 === metric) {
      if (tsMs <= this.t1) return undefined;
      const n = Number(value.m);
      const inc = increaseOver(value, n, this.v1, this.s1);
      this.t1 = tsMs;
      this.v1 = held(value, n);
      this.s1 = value.s;
      return inc;
    }
    const prev = this.more?.get(metric);
    if (prev === undefined) {
      this.set(metric, { tsMs, value });
      return FIXED_ZERO; // baseline
    }
    if (tsMs <= prev.tsMs) return undefined;
    const inc = increase(value, prev.value);
    prev.tsMs = tsMs;
    prev.value = value;
    return inc;
  }

  get size(): number {
    return (this.m0 === undefined ? 0 : 1) + (this.m1 === undefined ? 0 : 1) + (this.more?.size ?? 0);
  }

  /** In insertion order, like a Map's; each reading a fresh object. */
  *[Symbol.iterator](): IterableIterator<[string, Reading]> {
    if (this.m0 !== undefined) yield [this.m0, { tsMs: this.t0, value: valueOf(this.v0, this.s0) }];
    if (this.m1 !== undefined) yield [this.m1, { tsMs: this.t1, value: valueOf(this.v1, this.s1) }];
    if (this.more !== undefined) for (const [m, r] of this.more) yield [m, { tsMs: r.tsMs, value: r.value }];
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
  return series.apply(metric, tsMs, value);
}

/**
 * The baselines of every series seen, grouped by server (one lookup per sample). `make` builds a
 * server's entry: a partition's baselines hold its ServerStates (series + open rows), so one Map
 * keyed by server serves both.
 */
export class CounterBaselines<S extends ServerSeries = ServerSeries> {
  readonly servers = new Map<string, S>();

  constructor(private readonly make?: (serverId: string) => S) {}

  /** The series of a server (created empty if absent); stays valid while this lives. */
  forServer(serverId: string): S {
    let s = this.servers.get(serverId);
    if (s === undefined) {
      s = this.make === undefined ? (new ServerSeries() as S) : this.make(serverId);
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

  /** Adds the series of a snapshot (every server of it gets its entry). */
  load(snap: CounterSnapshot): this {
    for (const [serverId, metric, tsMs, v] of snap) this.forServer(serverId).set(metric, { tsMs, value: parseFixed(v) });
    return this;
  }

  static restore(snap: CounterSnapshot): CounterBaselines {
    return new CounterBaselines().load(snap);
  }
}
