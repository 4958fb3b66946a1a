// A cache of merged rollup state per (server, meter, UTC day) for the rate role, so a recompute
// of a busy customer's month reads per-day counts instead of every part. Exactness does not
// depend on it: parts are immutable and never deleted, so a group whose count in the database
// equals the cached count holds the same parts, and merging is associative and commutative
// (merged day states merge to the same totals as the parts). A group is only used whole when
// no subscription boundary of the customer falls inside it; otherwise its parts are read raw.
import type { RollupState } from '../pipeline/aggregation/rollup.js';
import { StateMerger } from '../pipeline/aggregation/state.js';
import { partsOfSeries, type StoredPart } from './db/parts.js';
import type { Queryable } from './db/tx.js';

/** A stored part, or a day's parts of one series merged into one (memberIds = their ids). */
export interface RatedPart extends StoredPart {
  memberIds?: string[];
}

interface Group {
  count: number;
  loMs: number;
  hiMs: number;
  endMs: number;
  state: RollupState;
  partIds: string[];
}

interface CountRow {
  server_id: string;
  meter: string;
  day: Date;
  n: number;
  lo: Date;
  hi: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

export class PartCache {
  private readonly groups = new Map<string, Group>();
  private ids = 0;

  /**
   * Part ids held at most (each group keeps its parts' ids, which finalization marks billed):
   * a bound on memory, about 100 MB at the default. Exceeded → cleared, rebuilt on demand.
   */
  constructor(private readonly maxIds = 2_000_000) {}

  /** Groups held (for tests and metrics). */
  get size(): number {
    return this.groups.size;
  }

  /**
   * The parts of `serverIds` with window start in [fromMs, toMs), merged per series and day
   * except where `boundariesOf(server)` has an instant b with lo < b ≤ hi inside a day.
   */
  async load(db: Queryable, serverIds: readonly string[], fromMs: number, toMs: number, boundariesOf: (serverId: string) => readonly number[]): Promise<RatedPart[]> {
    if (serverIds.length === 0) return [];
    const counts = await db.query<CountRow>({
      name: 'rating_parts.day_counts',
      text: `SELECT server_id, meter, date_trunc('day', window_start, 'UTC') AS day, count(*)::int AS n,
                    min(window_start) AS lo, max(window_start) AS hi, max(window_end) AS end
               FROM rating_parts WHERE server_id = ANY ($1::text[]) AND window_start >= $2 AND window_start < $3
              GROUP BY 1, 2, 3`,
      values: [[...serverIds], new Date(fromMs), new Date(toMs)],
    });
    if (this.ids > this.maxIds) {
      this.groups.clear();
      this.ids = 0;
    }
    const out: RatedPart[] = [];
    for (const r of counts.rows) {
      const dayMs = r.day.getTime();
      const lo = r.lo.getTime();
      const hi = r.hi.getTime();
      const from = Math.max(fromMs, dayMs);
      const to = Math.min(toMs, dayMs + DAY_MS);
      if (boundariesOf(r.server_id).some((b) => b > lo && b <= hi)) {
        // A subscription starts or ends inside this day: attribute its parts one by one.
        out.push(...(await partsOfSeries(db, r.server_id, r.meter, from, to)));
        continue;
      }
      const key = `${r.server_id}\u0000${r.meter}\u0000${from}\u0000${to}`;
      let g = this.groups.get(key);
      if (!g || g.count !== r.n) {
        const parts = await partsOfSeries(db, r.server_id, r.meter, from, to);
        const merger = new StateMerger();
        let loMs = Number.POSITIVE_INFINITY;
        let hiMs = Number.NEGATIVE_INFINITY;
        let endMs = Number.NEGATIVE_INFINITY;
        for (const p of parts) {
          merger.add(p.state);
          loMs = Math.min(loMs, p.windowStartMs);
          hiMs = Math.max(hiMs, p.windowStartMs);
          endMs = Math.max(endMs, p.windowEndMs);
        }
        if (boundariesOf(r.server_id).some((b) => b > loMs && b <= hiMs)) {
          out.push(...parts); // a part committed since the count moved the range over a boundary
          continue;
        }
        g = { count: parts.length, loMs, hiMs, endMs, state: merger.result(), partIds: parts.map((p) => p.partId) };
        // Only a consistent read is cached (a part committed between the two queries is not).
        if (parts.length === r.n) {
          this.ids += g.partIds.length - (this.groups.get(key)?.partIds.length ?? 0);
          this.groups.set(key, g);
        }
      }
      out.push({
        partId: g.partIds[0] ?? key,
        serverId: r.server_id,
        meter: r.meter,
        windowStartMs: g.loMs,
        windowEndMs: g.endMs,
        correction: false,
        state: g.state,
        billedInvoice: null,
        memberIds: g.partIds,
      });
    }
    return out;
  }
}
