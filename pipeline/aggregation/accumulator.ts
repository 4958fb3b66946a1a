// The exact accumulator of one meter over one window segment — a cell of a partition's slab
// (slab.ts: row = segment, columns per meter) — and the "compiled" form of a catalogue meter it
// works from. A cell turns into a RollupState (decimal strings) only when the part is emitted,
// so the per-sample work is a few double or BigInt operations and no string formatting.
import type { Meter } from '../../catalog/types.js';
import type { RollupState } from './rollup.js';
import { divFixed, type Fixed, fixedFromDecimal, formatFixed, formatSmall, parseFixed } from './fixed.js';
import { offOf, Slab } from './slab.js';

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

/**
 * One sample's contribution to meter m's cell of a row (opened with Slab.open). `value` is the
 * raw reading (or a counter's raw increase); `intervalS` undefined = the meter's. A sample
 * counts whole here (SPEC §3): its interval is never split across boundaries.
 */
export function addTo(slab: Slab, row: number, m: number, cm: CompiledMeter, value: Fixed, intervalS: Fixed | undefined, tsMs: number, labels: Record<string, string>): void {
  slab.incCount(row, m);
  switch (cm.mode) {
    case 'count':
      return;
    case 'unique': {
      const key = cm.label === undefined ? formatFixed(scaled(cm, value)) : labels[cm.label];
      if (key === undefined) return; // a sample without the label has no value to count
      const cell = row * slab.meters.length + m;
      let set = slab.distinct.get(cell);
      if (set === undefined) {
        set = new Set();
        slab.distinct.set(cell, set);
      }
      set.add(key);
      return;
    }
    // Mantissas are multiplied as doubles when every factor and the product are safe
    // integers (then the double product is exact; a rounded one is never a safe integer),
    // else as BigInts: the same exact value either way, mostly without allocating.
    case 'sum': {
      if (cm.factorIsOne) {
        // (a factor of "1.0" is one too: the value keeps its own scale, as it always did)
        const n = Number(value.m);
        if (Number.isSafeInteger(n)) slab.addSmall(row, m, n, value.s);
        else slab.addBig(row, m, value.m, value.s);
        return;
      }
      const p = Number(value.m) * cm.factorN;
      if (Number.isSafeInteger(p)) slab.addSmall(row, m, p, value.s + cm.factor.s);
      else slab.addBig(row, m, value.m * cm.factor.m, value.s + cm.factor.s);
      return;
    }
    case 'value_seconds': {
      const i = intervalS ?? cm.intervalS;
      const p = Number(value.m) * cm.factorN * (intervalS === undefined ? cm.intervalN : safeNumber(i.m));
      if (Number.isSafeInteger(p)) slab.addSmall(row, m, p, value.s + cm.factor.s + i.s);
      else slab.addBig(row, m, value.m * cm.factor.m * i.m, value.s + cm.factor.s + i.s);
      return;
    }
    case 'max':
    case 'min': {
      const v = scaled(cm, value);
      if (!slab.hasX(row, m)) slab.setX(row, m, v, 0);
      else {
        const d = slab.cmpX(row, m, v);
        if (cm.mode === 'max' ? d > 0 : d < 0) slab.setX(row, m, v, 0);
      }
      return;
    }
    case 'latest': {
      const v = scaled(cm, value);
      const has = slab.hasX(row, m);
      const xts = (slab.cols[m] as { xts: Float64Array }).xts[row] as number;
      // Ties on ts go to the greater value, not the later arrival, so that merging parts in
      // any order gives the same result (mergeStates must be commutative).
      if (!has || tsMs > xts || (tsMs === xts && slab.cmpX(row, m, v) > 0)) slab.setX(row, m, v, tsMs);
      return;
    }
  }
}

const scaled = (cm: CompiledMeter, value: Fixed): Fixed =>
  cm.factorIsOne ? value : { m: value.m * cm.factor.m, s: value.s + cm.factor.s };

type StateColumns = { small?: Float64Array | Int32Array; xm?: Float64Array | Int32Array; xts?: Float64Array };

/** A sum / value-seconds cell's `sum` text. */
function sumText(slab: Slab, row: number, m: number, cm: CompiledMeter, c: StateColumns): string {
  // A sum held as a double alone (no BigInt part in the side table) is formatted from it.
  const small = c.small?.[row] as number;
  if (cm.perSeconds === undefined && Number.isSafeInteger(small) && !slab.sumBig.has(row * slab.meters.length + m)) return formatSmall(small, slab.scaleOf(row, m));
  const sum = slab.sum(row, m);
  return formatFixed(cm.perSeconds === undefined ? sum : divFixed(sum, cm.perSeconds));
}

/** A max / min / latest cell's value text (undefined: no value yet). */
function valueText(slab: Slab, row: number, m: number, c: StateColumns): string | undefined {
  const xm = c.xm?.[row] as number;
  const xs = slab.xScale(row, m);
  // The value as a double mantissa when it is one (NaN: a BigInt in the side table).
  return xs < 0 ? undefined : Number.isSafeInteger(xm) ? formatSmall(xm, xs) : formatFixed(slab.x(row, m) as Fixed);
}

const distinctOf = (slab: Slab, row: number, m: number): string[] => [...(slab.distinct.get(row * slab.meters.length + m) ?? [])].sort();

/** The RollupState of meter m's cell (see rollup.ts for what `sum` means per aggregation). */
export function stateOf(slab: Slab, row: number, m: number, cm: CompiledMeter): RollupState {
  const state: RollupState = { count: slab.count(row, m), sum: '0' };
  const c = slab.cols[m] as StateColumns;
  if (cm.mode === 'sum' || cm.mode === 'value_seconds') state.sum = sumText(slab, row, m, cm, c);
  if (cm.mode === 'max' || cm.mode === 'min' || cm.mode === 'latest') {
    const text = valueText(slab, row, m, c);
    if (text !== undefined) {
      if (cm.mode === 'max') state.max = text;
      else if (cm.mode === 'min') state.min = text;
      else {
        state.latest = text;
        state.latestTsMs = c.xts?.[row] as number;
      }
    }
  }
  if (cm.mode === 'unique') state.distinct = distinctOf(slab, row, m);
  return state;
}

/**
 * stateOf into a reused object (part-sink.ts): every field set, the absent ones to undefined,
 * so the object keeps one shape.
 */
export function stateInto(slab: Slab, row: number, m: number, cm: CompiledMeter, into: RollupState): void {
  const c = slab.cols[m] as StateColumns;
  const mode = cm.mode;
  into.count = slab.count(row, m);
  into.sum = mode === 'sum' || mode === 'value_seconds' ? sumText(slab, row, m, cm, c) : '0';
  const text = mode === 'max' || mode === 'min' || mode === 'latest' ? valueText(slab, row, m, c) : undefined;
  into.max = mode === 'max' ? text : undefined;
  into.min = mode === 'min' ? text : undefined;
  into.latest = mode === 'latest' ? text : undefined;
  into.latestTsMs = mode === 'latest' && text !== undefined ? (c.xts?.[row] as number) : undefined;
  into.distinct = mode === 'unique' ? distinctOf(slab, row, m) : undefined;
}

/** Meter m's cell as a snapshot (the same fields, in the same order, as the former Acc's). */
export function snapshotOf(slab: Slab, row: number, m: number): AccSnapshot {
  const c = slab.cols[m] as { xts?: Float64Array };
  const snap: AccSnapshot = { count: slab.count(row, m), sum: slab.formatSum(row, m), firstOffset: slab.offset(row, m, false), lastOffset: slab.offset(row, m, true) };
  const x = slab.x(row, m);
  if (x !== undefined) {
    snap.x = formatFixed(x);
    snap.xTsMs = c.xts?.[row] ?? 0; // max / min keep no time: 0, as before
  }
  const d = slab.distinct.get(row * slab.meters.length + m);
  if (d !== undefined) snap.distinct = [...d].sort();
  return snap;
}

/**
 * Fills meter m's cell of a row from a snapshot. A field the meter's mode never produces (a sum
 * of a max meter, say) has no column and is not kept: the snapshot's signature check guarantees
 * the mode is the one that wrote it.
 */
export function restoreInto(slab: Slab, row: number, m: number, snap: AccSnapshot): void {
  slab.setCount(row, m, snap.count);
  slab.openCell(row, m);
  slab.setOffsets(row, m, offOf(snap.firstOffset), offOf(snap.lastOffset));
  if (slab.cols[m]?.small !== undefined) {
    const sum = parseFixed(snap.sum);
    slab.addBig(row, m, sum.m, sum.s);
    // Back into the double column when it fits (a restored row is as compact as a live one).
    const big = slab.sumBig.get(row * slab.meters.length + m);
    if (big !== undefined && Number.isSafeInteger(Number(big))) {
      slab.sumBig.delete(row * slab.meters.length + m);
      slab.setSmall(row, m, Number(big), slab.scaleOf(row, m));
    }
  }
  if (snap.x !== undefined && slab.cols[m]?.xs !== undefined) slab.setX(row, m, parseFixed(snap.x), snap.xTsMs ?? 0);
  if (snap.distinct !== undefined) slab.distinct.set(row * slab.meters.length + m, new Set(snap.distinct));
}

/** The state of one sample alone (state.ts), through a one-row slab. */
export function singleState(cm: CompiledMeter, value: Fixed, intervalS: Fixed | undefined, tsMs: number, labels: Record<string, string>): RollupState {
  const slab = new Slab([cm], 1);
  const row = slab.alloc(0, 0, 0);
  slab.openCell(row, 0); // no offsets: a state alone has no lineage
  addTo(slab, row, 0, cm, value, intervalS, tsMs, labels);
  return stateOf(slab, row, 0, cm);
}
