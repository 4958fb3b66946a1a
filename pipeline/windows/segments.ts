// Tumbling event-time windows aligned to the epoch (SPEC §4: start inclusive, end exclusive),
// optionally cut into segments at billing-period and subscription boundaries so that no part
// straddles one. A sample counts whole in the segment its ts falls in (SPEC §3).

/**
 * Boundaries strictly inside (startMs, endMs) where the window of `serverId` must be cut, in any
 * order; points outside are ignored. Must be a pure function of its arguments (the same window
 * must always be cut the same way, or parts would not line up across restarts).
 */
export type SplitPoints = (serverId: string, startMs: number, endMs: number) => readonly number[];

export interface Segment {
  readonly startMs: number;
  readonly endMs: number;
}

/** Start of the epoch-aligned window of size windowMs that holds tsMs (negative ts too). */
export const windowStartOf = (tsMs: number, windowMs: number): number => Math.floor(tsMs / windowMs) * windowMs;

/** The segments of one window, in order, covering [startMs, endMs) without gaps. */
export function segmentsOf(serverId: string, startMs: number, endMs: number, splitPoints?: SplitPoints): Segment[] {
  if (splitPoints === undefined) return [{ startMs, endMs }];
  const cuts = [...new Set(splitPoints(serverId, startMs, endMs))]
    .filter((p) => Number.isFinite(p) && p > startMs && p < endMs)
    .sort((a, b) => a - b);
  const out: Segment[] = [];
  let from = startMs;
  for (const c of cuts) {
    out.push({ startMs: from, endMs: c });
    from = c;
  }
  out.push({ startMs: from, endMs });
  return out;
}

export interface Cuts {
  readonly startMs: number;
  readonly segments: readonly Segment[];
}

/**
 * Where a caller keeps a server's last cuts (the aggregator: on the server's own state object,
 * so they go when the server is swept): no Map entry per server, no lookup per sample.
 */
export interface CutsHolder {
  cuts: Cuts | undefined;
}

/** Uncut windows remembered for sharing; past this many the list starts afresh (entries stay valid). */
const UNCUT_KEPT = 64;

/**
 * Finds the segment of a sample. The last window's segments of a server are remembered in its
 * holder, because a server's samples mostly arrive in time order and splitPoints may be costly
 * to call. A window no point cuts (nearly all of them) is one entry shared by every server: a
 * per-server entry, its array and segment were ≈ 300 bytes per server at 100 000 servers
 * (issue 11: memory).
 */
export class Segmenter {
  private uncut = new Map<number, Cuts>();

  constructor(
    private readonly windowMs: number,
    private readonly splitPoints?: SplitPoints,
  ) {}

  /** The segment of `tsMs` for `serverId`, whose last cuts `holder` keeps. */
  segmentOf(serverId: string, tsMs: number, holder: CutsHolder): Segment {
    const startMs = windowStartOf(tsMs, this.windowMs);
    if (this.splitPoints === undefined) return { startMs, endMs: startMs + this.windowMs };
    let c = holder.cuts;
    if (c === undefined || c.startMs !== startMs) {
      const segments = segmentsOf(serverId, startMs, startMs + this.windowMs, this.splitPoints);
      c = segments.length === 1 ? this.uncutWindow(startMs) : { startMs, segments };
      holder.cuts = c;
    }
    const segs = c.segments;
    for (let i = segs.length - 1; i > 0; i--) {
      const s = segs[i] as Segment;
      if (tsMs >= s.startMs) return s;
    }
    return segs[0] as Segment;
  }

  /** The shared entry of a window without cuts (segments are read-only, so sharing is safe). */
  private uncutWindow(startMs: number): Cuts {
    let c = this.uncut.get(startMs);
    if (c === undefined) {
      if (this.uncut.size >= UNCUT_KEPT) this.uncut = new Map();
      c = { startMs, segments: [{ startMs, endMs: startMs + this.windowMs }] };
      this.uncut.set(startMs, c);
    }
    return c;
  }
}

/**
 * A SplitPoints from boundary lists: `common` for every server (billing-period starts in the
 * catalogue time zone) and `perServer` (subscription from/to instants). Lists need not be
 * sorted; lookups are binary searches.
 */
export function splitPointsFrom(common: readonly number[], perServer: ReadonlyMap<string, readonly number[]> = new Map()): SplitPoints {
  const sort = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  const all = sort(common);
  const servers = new Map([...perServer].map(([k, v]) => [k, sort(v)] as const));
  return (serverId, startMs, endMs) => [...inside(all, startMs, endMs), ...inside(servers.get(serverId) ?? [], startMs, endMs)];
}

/** Elements of sorted xs with start < x < end. */
function inside(xs: readonly number[], start: number, end: number): number[] {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < xs.length && (xs[i] as number) < end; i++) out.push(xs[i] as number);
  return out;
}
