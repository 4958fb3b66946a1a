// A sample's metered values, read once per sample: each metric some meter reads is parsed into
// exact fixed-point once, however many meters read it, and a bad value is refused before the
// aggregator changes any state (a sample never counts in part). The hot path of `bill` and the
// aggregate role: levels of gauges and deltas repeat ("200", "2", "1"), so their parsed values
// are cached; counters never repeat, so they get no cache.
import type { Sample } from '../samples/sample.js';
import { MeterlineError } from '../../lib/errors.js';
import type { CompiledMeter } from './accumulator.js';
import { type Fixed, parseFixed } from './fixed.js';

const VALUE_CACHE_SIZE = 4096;
const INTERVAL_CACHE_SIZE = 1000;

/** One metric of the samples and the meters that read it. */
export interface MetricEntry {
  metric: string;
  hasCounter: boolean;
  /** Parsed values of a gauge/delta metric (a Map hit is cheaper than parsing); none for counters. Bounded. */
  cache: Map<string, Fixed> | undefined;
  /** The meters reading this metric, with their index in the aggregator's meter list. */
  slots: Array<{ cm: CompiledMeter; index: number }>;
}

export class MetricValues {
  /** One entry per distinct metric, in the order its first meter appears. */
  readonly entries: readonly MetricEntry[];
  /** interval_s texts repeat (one per agent scrape interval): parse each once. */
  private readonly intervals = new Map<string, Fixed>();

  constructor(compiled: readonly CompiledMeter[]) {
    const entries = new Map<string, MetricEntry>();
    compiled.forEach((cm, index) => {
      let e = entries.get(cm.metric);
      if (e === undefined) {
        e = { metric: cm.metric, hasCounter: false, cache: undefined, slots: [] };
        entries.set(cm.metric, e);
      }
      e.hasCounter ||= cm.counter;
      e.slots.push({ cm, index });
    });
    this.entries = [...entries.values()];
    for (const e of this.entries) if (!e.hasCounter) e.cache = new Map();
  }

  /**
   * Parses every metered value of `sample` into `out` (slot k for entries[k]; undefined where the
   * sample lacks the metric). True when the sample carries any metered metric. Throws a
   * validation error naming the first bad value.
   */
  read(sample: Sample, out: Array<Fixed | undefined>): boolean {
    let carries = false;
    for (let k = 0; k < this.entries.length; k++) {
      const e = this.entries[k] as MetricEntry;
      const raw = sample.metrics[e.metric];
      let v: Fixed | undefined;
      if (raw !== undefined) {
        v = e.cache?.get(raw);
        if (v === undefined) {
          v = parseValue(sample, `metrics.${e.metric}`, raw);
          if (e.cache !== undefined && e.cache.size < VALUE_CACHE_SIZE) e.cache.set(raw, v);
        }
        carries = true;
      }
      out[k] = v;
    }
    return carries;
  }

  /** The sample's interval_s (undefined when absent: each meter then uses its own). */
  interval(sample: Sample): Fixed | undefined {
    const text = sample.intervalS;
    if (text === undefined) return undefined;
    let f = this.intervals.get(text);
    if (f === undefined) {
      f = parseValue(sample, 'interval_s', text);
      if (this.intervals.size < INTERVAL_CACHE_SIZE) this.intervals.set(text, f);
    }
    return f;
  }
}

function parseValue(sample: Sample, field: string, raw: string): Fixed {
  try {
    return parseFixed(raw);
  } catch (err) {
    throw new MeterlineError('validation', `sample ${sample.id}: ${field}: ${(err as Error).message}`, { cause: err });
  }
}
