// A rollup part: the aggregated usage of one meter on one server over one window (or a
// segment of it), as the aggregator emits it to `usage.rollups` and the sink and rate roles
// store it. Parts of the same window are *merged*, never overwritten: the on-time emission
// is one part and every later correction another, each with its own `partId`. All merges are
// commutative and associative, so storing parts with ON CONFLICT (part_id) DO NOTHING makes a
// replay change nothing and applies each correction exactly once.
export interface RollupState {
  /** Number of samples merged in. */
  count: number;
  /**
   * delta, counter: Σ increase × factor; integral: Σ value × factor × interval_s ÷ per_seconds;
   * time_average: Σ value × factor × interval_s (value-seconds; ÷ period seconds when rated);
   * avg: Σ value × factor (÷ count). Decimal string.
   */
  sum: string;
  /** max/min: the extreme value × factor. Decimal string; undefined when count = 0. */
  max?: string;
  min?: string;
  /** latest: value × factor of the newest sample by ts, and that ts (ties: the greater value, so merges commute). */
  latest?: string;
  latestTsMs?: number;
  /** unique: distinct label values seen. */
  distinct?: string[];
}

export interface RollupPart {
  /** Unique identity of this part: deterministic under replay of the same input. */
  partId: string;
  serverId: string;
  meter: string;
  /** Window (or segment) start, inclusive, epoch ms. */
  windowStartMs: number;
  /** Window (or segment) end, exclusive, epoch ms. */
  windowEndMs: number;
  /** false = on-time emission; true = a late correction merged into an emitted window. */
  correction: boolean;
  state: RollupState;
  /** Lineage for `explain`: input partition and offset range of the samples behind it. */
  source?: { topic: string; partition: number; firstOffset: string; lastOffset: string };
}
