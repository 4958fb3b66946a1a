// Counter series (SPEC §3 kind `counter`): cumulative readings become increases. Samples are
// applied in arrival order; one not newer (by ts) than the newest applied for its series adds
// nothing and changes nothing; otherwise increase = v − previous, or v after a reset (v <
// previous). The first sample ever is the baseline (increase 0) and the baseline carries across
// windows, periods and subscriptions, so this store outlives windows and must be persisted by
// the aggregate role (snapshot/restore).
import { cmpFixed, type Fixed, FIXED_ZERO, formatFixed, parseFixed, subFixed } from './fixed.js';

/** Newest applied reading of one series. */
interface Last {
  tsMs: number;
  value: Fixed;
}

/** [seriesKey, tsMs, value] — JSON-serializable. */
export type CounterSnapshot = Array<[string, number, string]>;

/** The series key: one server, one metric. */
export const seriesKey = (serverId: string, metric: string): string => `${serverId}\u0000${metric}`;

export class CounterBaselines {
  private readonly last = new Map<string, Last>();

  /**
   * Applies a reading and returns the raw increase it contributes (before the meter's factor),
   * or undefined when the sample is ignored (not newer than the newest applied).
   */
  apply(key: string, tsMs: number, value: Fixed): Fixed | undefined {
    const prev = this.last.get(key);
    if (prev === undefined) {
      this.last.set(key, { tsMs, value });
      return FIXED_ZERO; // baseline
    }
    if (tsMs <= prev.tsMs) return undefined;
    // A reset restarts from 0, so the reading itself is the increase. A negative reading is
    // not a counter; it counts 0 rather than subtracting usage.
    const inc = cmpFixed(value, prev.value) >= 0 ? subFixed(value, prev.value) : value.m < 0n ? FIXED_ZERO : value;
    prev.tsMs = tsMs;
    prev.value = value;
    return inc;
  }

  get size(): number {
    return this.last.size;
  }

  /** The newest applied reading of a series (for tests and diagnostics). */
  get(key: string): { tsMs: number; value: string } | undefined {
    const l = this.last.get(key);
    return l === undefined ? undefined : { tsMs: l.tsMs, value: formatFixed(l.value) };
  }

  snapshot(): CounterSnapshot {
    return [...this.last].map(([k, l]) => [k, l.tsMs, formatFixed(l.value)]);
  }

  static restore(snap: CounterSnapshot): CounterBaselines {
    const c = new CounterBaselines();
    for (const [k, tsMs, v] of snap) c.last.set(k, { tsMs, value: parseFixed(v) });
    return c;
  }
}
