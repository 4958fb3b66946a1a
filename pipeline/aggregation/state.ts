// RollupState algebra (SPEC §3, §10): the state of one meter over a window or any union of
// windows, built from one sample at a time or merged from parts. mergeStates is commutative
// and associative, so parts stored in any order (on-time part, corrections, replays dropped by
// partId) give the same totals; quantityOf turns merged state into the usage quantity rating
// bills, rollupValue into the value the query API shows for one bucket.
import { Decimal, ZERO, formatPlain } from '../../lib/decimal.js';
import type { Meter } from '../../catalog/types.js';
import type { RollupState } from './rollup.js';
import { compileMeter, type CompiledMeter, singleState } from './accumulator.js';
import { cmpFixed, type Fixed, formatFixed, FixedSum, parseFixed } from './fixed.js';

export const emptyState = (): RollupState => ({ count: 0, sum: '0' });

/** One sample's reading (or a counter's increase), as fed to a meter. */
export interface Contribution {
  /** Raw value before `factor`: a gauge/delta reading, or a counter series' increase. */
  value: string;
  /** Seconds the sample stands for; undefined = the meter's interval_s. */
  intervalS?: string;
  tsMs: number;
  labels?: Record<string, string>;
}

const compiled = new WeakMap<Meter, CompiledMeter>();
const compile = (meter: Meter): CompiledMeter => {
  let cm = compiled.get(meter);
  if (cm === undefined) {
    cm = compileMeter(meter);
    compiled.set(meter, cm);
  }
  return cm;
};

/** The state of a single sample. (Counters: pass the increase; see counters.ts.) */
export function sampleState(meter: Meter, c: Contribution): RollupState {
  const cm = compile(meter);
  return singleState(cm, parseFixed(c.value), c.intervalS === undefined ? undefined : parseFixed(c.intervalS), c.tsMs, c.labels ?? {});
}

/** state + one sample. */
export const addSample = (meter: Meter, state: RollupState, c: Contribution): RollupState =>
  mergeStates(state, sampleState(meter, c));

/**
 * Merges many states at once with one running exact sum (no per-step formatting): what rating
 * and re-bucketing use over thousands of parts.
 */
export class StateMerger {
  private count = 0;
  private readonly sum = new FixedSum();
  private max: Fixed | undefined;
  private min: Fixed | undefined;
  private latest: Fixed | undefined;
  private latestTsMs = 0;
  private distinct: Set<string> | undefined;

  add(s: RollupState): this {
    this.count += s.count;
    if (s.sum !== '0') this.sum.addFixed(parseFixed(s.sum));
    if (s.max !== undefined) {
      const v = parseFixed(s.max);
      if (this.max === undefined || cmpFixed(v, this.max) > 0) this.max = v;
    }
    if (s.min !== undefined) {
      const v = parseFixed(s.min);
      if (this.min === undefined || cmpFixed(v, this.min) < 0) this.min = v;
    }
    if (s.latest !== undefined) {
      const v = parseFixed(s.latest);
      const ts = s.latestTsMs ?? Number.NEGATIVE_INFINITY;
      // Newest ts wins; equal ts → the greater value (order-independent, like the accumulator).
      if (this.latest === undefined || ts > this.latestTsMs || (ts === this.latestTsMs && cmpFixed(v, this.latest) > 0)) {
        this.latest = v;
        this.latestTsMs = ts;
      }
    }
    if (s.distinct !== undefined) {
      this.distinct ??= new Set();
      for (const d of s.distinct) this.distinct.add(d);
    }
    return this;
  }

  result(): RollupState {
    const out: RollupState = { count: this.count, sum: formatFixed(this.sum.value()) };
    if (this.max !== undefined) out.max = formatFixed(this.max);
    if (this.min !== undefined) out.min = formatFixed(this.min);
    if (this.latest !== undefined) {
      out.latest = formatFixed(this.latest);
      out.latestTsMs = this.latestTsMs;
    }
    if (this.distinct !== undefined) out.distinct = [...this.distinct].sort();
    return out;
  }
}

/** Commutative, associative merge of two states (exact; decimal strings stay exact). */
export const mergeStates = (a: RollupState, b: RollupState): RollupState => new StateMerger().add(a).add(b).result();

/** Merge of any number of states (empty input → emptyState()). */
export function mergeAll(states: Iterable<RollupState>): RollupState {
  const m = new StateMerger();
  for (const s of states) m.add(s);
  return m.result();
}

const toDecimal = (s: string | undefined): Decimal => (s === undefined ? ZERO : new Decimal(s));

function periodDecimal(meter: Meter, periodSeconds: number | Decimal | undefined): Decimal {
  if (periodSeconds === undefined) {
    throw new RangeError(`meter ${meter.name} (time_average) needs the seconds of the billing period`);
  }
  const d = new Decimal(periodSeconds);
  if (!d.isFinite() || d.lte(0)) throw new RangeError(`period seconds must be positive (got ${String(periodSeconds)})`);
  return d;
}

/**
 * The usage quantity of merged state, in the meter's unit (SPEC §3): Σ for delta, counter and
 * integral; value-seconds ÷ periodSeconds for time_average; mean of samples for avg; max, min,
 * latest; number of samples for count; number of distinct values for unique. Empty state → 0.
 * `periodSeconds` (seconds of the billing period) is required for time_average only.
 */
export function quantityOf(meter: Meter, state: RollupState, periodSeconds?: number | Decimal): Decimal {
  switch (meter.aggregation) {
    case 'sum':
    case 'integral':
      return toDecimal(state.sum);
    case 'time_average':
      return toDecimal(state.sum).div(periodDecimal(meter, periodSeconds));
    case 'avg':
      return state.count === 0 ? ZERO : toDecimal(state.sum).div(state.count);
    case 'max':
      return toDecimal(state.max);
    case 'min':
      return toDecimal(state.min);
    case 'latest':
      return toDecimal(state.latest);
    case 'count':
      return new Decimal(state.count);
    case 'unique':
      return new Decimal(state.distinct?.length ?? 0);
  }
}

/**
 * The value of one query bucket (SPEC §10) from the merged state of the bucket's windows, as a
 * plain decimal string. For time_average pass the seconds of the billing period the bucket's
 * windows belong to: a bucket shows its share of the period's time-weighted average, so the
 * buckets of a period add up to the period's quantity.
 */
export const rollupValue = (meter: Meter, state: RollupState, periodSeconds?: number | Decimal): string =>
  formatPlain(quantityOf(meter, state, periodSeconds));
