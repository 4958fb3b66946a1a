// Emitted rollup parts handed to a sink as one reused view instead of a RollupPart object each.
//
// Why: the aggregate role encodes every part the moment it is emitted (≈ 5.6 per input sample)
// and drops it; a RollupPart per part (the part, its state and source objects, the partId as a
// cons string) was about half of what the hot path allocated per sample, all of it garbage a
// moment later. With a sink, the aggregator fills one view per emission and calls the sink per
// part; the writer writes the partId from its pieces (avro/rollup-writer.ts). `meterline bill`
// and every caller without a sink keep the object API (`partOf` is the one conversion).
import type { RollupPart, RollupState } from './rollup.js';

/**
 * One emitted part. Reused: valid only during the sink's call (copy what must outlive it,
 * e.g. with partOf). The state's absent fields are undefined.
 */
export interface PartView extends Pick<RollupPart, 'serverId' | 'meter' | 'windowStartMs' | 'windowEndMs' | 'correction' | 'state'> {
  /** Lineage (RollupPart.source). */
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /**
   * The partId is idPrefix + firstOffset + idInfix + idSuffix, i.e.
   * `${topic}:${partition}:` + firstOffset + `:${meter}` + `:${windowStartMs}` (aggregator.ts).
   */
  idPrefix: string;
  idInfix: string;
  idSuffix: string;
}

export interface PartSink {
  /** Called once per emitted part, in emission order (the order the object API returns them). */
  part(v: PartView): void;
}

/** The partId of a view (the same text the object API gives). */
export const partIdOf = (v: PartView): string => v.idPrefix + v.firstOffset + v.idInfix + v.idSuffix;

/** The part a view stands for, as the object API builds it (own copies: safe to keep). */
export function partOf(v: PartView): RollupPart {
  const s = v.state;
  // Same keys in the same order as stateOf (accumulator.ts): absent fields are not keys.
  const state: RollupState = { count: s.count, sum: s.sum };
  if (s.max !== undefined) state.max = s.max;
  if (s.min !== undefined) state.min = s.min;
  if (s.latest !== undefined) {
    state.latest = s.latest;
    state.latestTsMs = s.latestTsMs;
  }
  if (s.distinct !== undefined) state.distinct = s.distinct;
  return {
    partId: partIdOf(v),
    serverId: v.serverId,
    meter: v.meter,
    windowStartMs: v.windowStartMs,
    windowEndMs: v.windowEndMs,
    correction: v.correction,
    state,
    source: { topic: v.topic, partition: v.partition, firstOffset: v.firstOffset, lastOffset: v.lastOffset },
  };
}

/** A fresh view to be refilled (every key present from the start: one hidden class). */
export function newPartView(topic: string): PartView {
  return {
    serverId: '',
    meter: '',
    windowStartMs: 0,
    windowEndMs: 0,
    correction: false,
    state: { count: 0, sum: '0', max: undefined, min: undefined, latest: undefined, latestTsMs: undefined, distinct: undefined },
    topic,
    partition: 0,
    firstOffset: '',
    lastOffset: '',
    idPrefix: '',
    idInfix: '',
    idSuffix: '',
  };
}

/** A sink collecting parts as objects (the object API through a sink; tests). */
export function collectingSink(into: RollupPart[]): PartSink {
  return { part: (v) => void into.push(partOf(v)) };
}
