// The mutable, exact accumulator of one meter over one window segment, and the "compiled" form
// of a catalogue meter it works from. The aggregator keeps one Acc per (server, segment, meter)
// and turns it into a RollupState (decimal strings) only when the part is emitted, so the per-
// sample work is a few BigInt operations and no string formatting.
import type { Meter } from '../../catalog/types.js';
import type { RollupState } from './rollup.js';
import { cmpFixed, divFixed, type Fixed, fixedFromDecimal, formatFixed, FixedSum, parseFixed } from './fixed.js';

/** What an Acc keeps for a meter (SPEC §3). avg and sum both keep Σ value × factor. */
export type Mode = 'sum' | 'value_seconds' | 'max' | 'min' | 'latest' | 'count' | 'unique';

export interface CompiledMeter {
  readonly meter: Meter;
  readonly name: string;
  readonly metric: string;
  /** kind counter: the value fed in is the series' increase, not the raw reading. */
  readonly counter: boolean;
  readonly mode: Mode;
  readonly factor: Fixed;
  readonly factorIsOne: boolean;
  /** The meter's interval_s: the fallback when a sample carries none. */
  readonly intervalS: Fixed;
  /** factor.m and intervalS.m as doubles when they are safe integers (else NaN): see Acc.add. */
  readonly factorN: number;
  readonly intervalN: number;
  /** integral: value-seconds are divided by per_seconds when a part is emitted. */
  readonly perSeconds: Fixed | undefined;
  /** unique: the label whose distinct values are counted (none: distinct metric values). */
  readonly label: string | undefined;
}

export function compileMeter(meter: Meter): CompiledMeter {
  const factor = fixedFromDecimal(meter.factor);
  const a = meter.aggregation;
  const mode: Mode =
    a === 'integral' || a === 'time_average' ? 'value_seconds'
    : a === 'max' || a === 'min' || a === 'latest' || a === 'count' || a === 'unique' ? a
    : 'sum'; // sum, avg
  const intervalS = fixedFromDecimal(meter.intervalS);
  return {
    meter,
    name: meter.name,
    metric: meter.metric,
    counter: meter.kind === 'counter',
    mode,
    factor,
    factorIsOne: factor.m === 10n ** BigInt(factor.s),
    intervalS,
    factorN: safeNumber(factor.m),
    intervalN: safeNumber(intervalS.m),
    perSeconds: a === 'integral' ? fixedFromDecimal(meter.perSeconds) : undefined,
    label: meter.label,
  };
}

/** A bigint as a double when that is exact (a safe integer), else NaN. Allocates nothing. */
function safeNumber(m: bigint): number {
  const n = Number(m);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** Serializable form of an Acc (snapshots). Decimal strings; offsets as strings. */
export interface AccSnapshot {
  count: number;
  sum: string;
  x?: string;
  xTsMs?: number;
  distinct?: string[];
  firstOffset: string;
  lastOffset: string;
}

export class Acc {
  count = 0;
  readonly sum = new FixedSum();
  /** max / min / latest value (× factor); undefined until the first sample. */
  x: Fixed | undefined = undefined;
  xTsMs = 0;
  distinct: Set<string> | undefined = undefined;
  firstOffset = '';
  lastOffset = '';

  /**
   * One sample's contribution. `value` is the raw reading (or a counter's raw increase);
   * `intervalS` undefined = the meter's. A sample counts whole here (SPEC §3): its interval is
   * never split across boundaries.
   */
  add(cm: CompiledMeter, value: Fixed, intervalS: Fixed | undefined, tsMs: number, labels: Record<string, string>): void {
    this.count++;
    switch (cm.mode) {
      case 'count':
        return;
      case 'unique': {
        const key = cm.label === undefined ? formatFixed(this.scaled(cm, value)) : labels[cm.label];
        if (key === undefined) return; // a sample without the label has no value to count
        (this.distinct ??= new Set()).add(key);
        return;
      }
      // Mantissas are multiplied as doubles when every factor and the product are safe
      // integers (then the double product is exact; a rounded one is never a safe integer),
      // else as BigInts: the same exact value either way, mostly without allocating.
      case 'sum': {
        if (cm.factorIsOne) {
          // (a factor of "1.0" is one too: the value keeps its own scale, as it always did)
          const n = Number(value.m);
          if (Number.isSafeInteger(n)) this.sum.addSmall(n, value.s);
          else this.sum.add(value.m, value.s);
          return;
        }
        const p = Number(value.m) * cm.factorN;
        if (Number.isSafeInteger(p)) this.sum.addSmall(p, value.s + cm.factor.s);
        else this.sum.add(value.m * cm.factor.m, value.s + cm.factor.s);
        return;
      }
      case 'value_seconds': {
        const i = intervalS ?? cm.intervalS;
        const p = Number(value.m) * cm.factorN * (intervalS === undefined ? cm.intervalN : safeNumber(i.m));
        if (Number.isSafeInteger(p)) this.sum.addSmall(p, value.s + cm.factor.s + i.s);
        else this.sum.add(value.m * cm.factor.m * i.m, value.s + cm.factor.s + i.s);
        return;
      }
      case 'max':
      case 'min': {
        const v = this.scaled(cm, value);
        if (this.x === undefined) this.x = v;
        else {
          const c = cmpFixed(v, this.x);
          if (cm.mode === 'max' ? c > 0 : c < 0) this.x = v;
        }
        return;
      }
      case 'latest': {
        const v = this.scaled(cm, value);
        // Ties on ts go to the greater value, not the later arrival, so that merging parts in
        // any order gives the same result (mergeStates must be commutative).
        if (this.x === undefined || tsMs > this.xTsMs || (tsMs === this.xTsMs && cmpFixed(v, this.x) > 0)) {
          this.x = v;
          this.xTsMs = tsMs;
        }
        return;
      }
    }
  }

  private scaled(cm: CompiledMeter, value: Fixed): Fixed {
    return cm.factorIsOne ? value : { m: value.m * cm.factor.m, s: value.s + cm.factor.s };
  }

  /** The RollupState of this accumulator (see rollup.ts for what `sum` means per aggregation). */
  toState(cm: CompiledMeter): RollupState {
    const state: RollupState = { count: this.count, sum: '0' };
    if (cm.mode === 'sum' || cm.mode === 'value_seconds') {
      const sum = this.sum.value();
      state.sum = formatFixed(cm.perSeconds === undefined ? sum : divFixed(sum, cm.perSeconds));
    }
    if (this.x !== undefined) {
      if (cm.mode === 'max') state.max = formatFixed(this.x);
      else if (cm.mode === 'min') state.min = formatFixed(this.x);
      else if (cm.mode === 'latest') {
        state.latest = formatFixed(this.x);
        state.latestTsMs = this.xTsMs;
      }
    }
    if (cm.mode === 'unique') state.distinct = [...(this.distinct ?? [])].sort();
    return state;
  }

  snapshot(): AccSnapshot {
    const snap: AccSnapshot = { count: this.count, sum: formatFixed(this.sum.value()), firstOffset: this.firstOffset, lastOffset: this.lastOffset };
    if (this.x !== undefined) {
      snap.x = formatFixed(this.x);
      snap.xTsMs = this.xTsMs;
    }
    if (this.distinct !== undefined) snap.distinct = [...this.distinct].sort();
    return snap;
  }

  static restore(snap: AccSnapshot): Acc {
    const acc = new Acc();
    acc.count = snap.count;
    acc.sum.addFixed(parseFixed(snap.sum));
    if (snap.x !== undefined) {
      acc.x = parseFixed(snap.x);
      acc.xTsMs = snap.xTsMs ?? 0;
    }
    if (snap.distinct !== undefined) acc.distinct = new Set(snap.distinct);
    acc.firstOffset = snap.firstOffset;
    acc.lastOffset = snap.lastOffset;
    return acc;
  }
}
