// The aggregation state of one source partition: its clock (watermark, idleness, closed
// point), its counter baselines, the open segments waiting for the watermark, and the pending
// correction parts of segments already emitted. Partitions are independent (a series lives on
// one partition), which lets the aggregate role hand one over on a rebalance
// (snapshotPartition / restorePartition / revokePartition on the Aggregator).
import { Acc, type AccSnapshot } from './accumulator.js';
import { CounterBaselines, type CounterSnapshot, type ServerSeries } from './counters.js';
import { formatFixed } from './fixed.js';
import { finiteOrNull, newClock, nullToNegInf, type PartitionClock } from '../windows/watermark.js';
import type { Segment } from '../windows/segments.js';
import type { ServerRecord, SegmentRecord } from './changes.js';

/** The accumulators of one server over one segment, one slot per configured meter. */
export interface Group {
  readonly serverId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly accs: Array<Acc | undefined>;
  /** Set when emitted, so a cached reference is never written after it left. */
  done: boolean;
}

/** Everything of one server on a partition: found with one Map lookup per sample. */
export interface ServerState {
  readonly serverId: string;
  /** segment start → open group. */
  readonly open: Map<number, Group>;
  /** The group the last on-time sample went to (samples of a server mostly arrive in order). */
  last: Group | undefined;
  /** This server's counter series, shared with PartitionState.counters. */
  readonly series: ServerSeries;
}

export interface GroupSnapshot {
  serverId: string;
  startMs: number;
  endMs: number;
  /** meter name → accumulator. */
  accs: Record<string, AccSnapshot>;
}

export interface PartitionSnapshot {
  partition: number;
  maxEventTsMs: number | null;
  lastActivityMs: number | null;
  closedUpToMs: number | null;
  /** Processing time the oldest pending correction arrived (null: none pending). */
  correctionsSinceMs: number | null;
  counters: CounterSnapshot;
  open: GroupSnapshot[];
  corrections: GroupSnapshot[];
}

/** Canonical emission order: by end, then server, then start (independent of Map history). */
const byEndServerStart = (a: Group, b: Group): number =>
  a.endMs - b.endMs || (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0) || a.startMs - b.startMs;

export class PartitionState {
  clock: PartitionClock = newClock();
  counters = new CounterBaselines();
  /** serverId → its open groups and series. */
  private readonly servers = new Map<string, ServerState>();
  /** Distinct ends of open groups, ascending, and the groups per end: a sweep is O(emitted). */
  private readonly ends: number[] = [];
  private readonly byEnd = new Map<number, Group[]>();
  /** serverId → segment start → pending correction group. */
  private corrections = new Map<string, Map<number, Group>>();
  pendingCorrections = 0;
  correctionsSinceMs = Number.NEGATIVE_INFINITY;
  /** Bumped each time the pending corrections are emitted (changes.ts). */
  correctionsEpoch = 0;
  /** Servers whose state changed since the last drain (the incremental changelog). */
  changed = new Set<string>();
  /** Servers dropped since the last drain (nothing open or pending, no live baseline). */
  removed = new Set<string>();

  constructor(
    readonly partition: number,
    private readonly meterCount: number,
  ) {}

  server(serverId: string): ServerState {
    let st = this.servers.get(serverId);
    if (st === undefined) {
      st = { serverId, open: new Map(), last: undefined, series: this.counters.forServer(serverId) };
      this.servers.set(serverId, st);
    }
    return st;
  }

  /** The open group of (server, segment), created if absent. */
  openGroup(st: ServerState, seg: Segment): Group {
    const last = st.last;
    if (last !== undefined && last.startMs === seg.startMs && !last.done) return last;
    let g = st.open.get(seg.startMs);
    if (g === undefined) {
      g = newGroup(st.serverId, seg, this.meterCount);
      st.open.set(seg.startMs, g);
      this.indexByEnd(g);
    }
    st.last = g;
    return g;
  }

  /** The pending correction group of (server, segment), created if absent. */
  correctionGroup(serverId: string, seg: Segment, nowMs: number): Group {
    let perServer = this.corrections.get(serverId);
    if (perServer === undefined) {
      perServer = new Map();
      this.corrections.set(serverId, perServer);
    }
    let g = perServer.get(seg.startMs);
    if (g === undefined) {
      g = newGroup(serverId, seg, this.meterCount);
      perServer.set(seg.startMs, g);
      if (this.pendingCorrections === 0) this.correctionsSinceMs = nowMs;
      this.pendingCorrections++;
    }
    return g;
  }

  private indexByEnd(g: Group): void {
    const list = this.byEnd.get(g.endMs);
    if (list !== undefined) {
      list.push(g);
      return;
    }
    this.byEnd.set(g.endMs, [g]);
    // Binary insert: new ends appear about once per window, so this is off the hot path.
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) < g.endMs) lo = mid + 1;
      else hi = mid;
    }
    this.ends.splice(lo, 0, g.endMs);
  }

  /** How many open groups the partition holds. */
  get openCount(): number {
    let n = 0;
    for (const list of this.byEnd.values()) n += list.length;
    return n;
  }

  /** Smallest end among open groups (+Infinity when none). */
  get nextEndMs(): number {
    return this.ends.length === 0 ? Number.POSITIVE_INFINITY : (this.ends[0] as number);
  }

  /** Removes and returns the open groups ending at or before upToMs, in canonical order. */
  takeClosed(upToMs: number): Group[] {
    const out: Group[] = [];
    while (this.ends.length > 0 && (this.ends[0] as number) <= upToMs) {
      const end = this.ends.shift() as number;
      const groups = this.byEnd.get(end) ?? [];
      this.byEnd.delete(end);
      for (const g of groups) {
        g.done = true;
        this.servers.get(g.serverId)?.open.delete(g.startMs);
        out.push(g);
      }
    }
    return out.sort(byEndServerStart);
  }

  /** Removes and returns every pending correction group, in canonical order. */
  takeCorrections(): Group[] {
    const out: Group[] = [];
    for (const perServer of this.corrections.values()) out.push(...perServer.values());
    for (const g of out) g.done = true;
    this.corrections = new Map();
    this.correctionsEpoch++;
    this.pendingCorrections = 0;
    this.correctionsSinceMs = Number.NEGATIVE_INFINITY;
    return out.sort(byEndServerStart);
  }

  /** Every server with state (the incremental changelog's full rewrite, e.g. after a format change). */
  markAllChanged(): void {
    for (const id of this.servers.keys()) this.changed.add(id);
    for (const id of this.corrections.keys()) this.changed.add(id);
  }

  /** One server's current record; undefined when the partition holds nothing of it. */
  serverRecord(serverId: string, meterNames: readonly string[]): ServerRecord | undefined {
    const st = this.servers.get(serverId);
    const pending = this.corrections.get(serverId);
    if (st === undefined && pending === undefined) return undefined;
    const counters: ServerRecord['counters'] = [];
    for (const [metric, r] of st?.series ?? []) counters.push([metric, r.tsMs, formatFixed(r.value)]);
    const epoch = this.correctionsEpoch;
    return {
      serverId,
      open: st === undefined ? [] : [...st.open.values()].map((g) => segmentRecord(g, meterNames)),
      corrections: pending === undefined ? [] : [...pending.values()].map((g) => ({ ...segmentRecord(g, meterNames), epoch })),
      counters,
    };
  }

  /**
   * Drops servers that hold nothing: no open segment, no pending correction, and no counter
   * series newer than `seriesCutoffMs` (event time). Bounds memory by the live servers.
   */
  sweep(seriesCutoffMs: number): void {
    for (const [id, st] of this.servers) {
      if (st.open.size > 0 || this.corrections.has(id)) continue;
      let live = false;
      for (const r of st.series.values()) if (r.tsMs >= seriesCutoffMs) live = true;
      if (live) continue;
      this.servers.delete(id);
      this.counters.drop(id);
      this.changed.delete(id);
      this.removed.add(id);
    }
  }

  snapshot(meterNames: readonly string[]): PartitionSnapshot {
    const groups = (m: Iterable<Map<number, Group>>): GroupSnapshot[] => {
      const out: GroupSnapshot[] = [];
      for (const perServer of m) {
        for (const g of perServer.values()) out.push({ serverId: g.serverId, ...segmentRecord(g, meterNames) });
      }
      return out;
    };
    return {
      partition: this.partition,
      maxEventTsMs: finiteOrNull(this.clock.maxEventTsMs),
      lastActivityMs: finiteOrNull(this.clock.lastActivityMs),
      closedUpToMs: finiteOrNull(this.clock.closedUpToMs),
      correctionsSinceMs: this.pendingCorrections === 0 ? null : finiteOrNull(this.correctionsSinceMs),
      counters: this.counters.snapshot(),
      open: groups([...this.servers.values()].map((st) => st.open)),
      corrections: groups(this.corrections.values()),
    };
  }

  /** Rebuilds a partition; `meterIndex` maps a meter name to its slot (unknown → throws). */
  static restore(snap: PartitionSnapshot, meterCount: number, meterIndex: (name: string) => number): PartitionState {
    const p = new PartitionState(snap.partition, meterCount);
    p.clock = {
      maxEventTsMs: nullToNegInf(snap.maxEventTsMs),
      lastActivityMs: nullToNegInf(snap.lastActivityMs),
      closedUpToMs: nullToNegInf(snap.closedUpToMs),
    };
    p.counters = CounterBaselines.restore(snap.counters);
    // Every server with a baseline gets its ServerState, so a sweep can see (and drop) it.
    for (const [serverId] of snap.counters) p.server(serverId);
    const fill = (g: Group, gs: GroupSnapshot): void => {
      for (const [name, a] of Object.entries(gs.accs)) g.accs[meterIndex(name)] = Acc.restore(a);
    };
    for (const gs of snap.open) fill(p.openGroup(p.server(gs.serverId), gs), gs);
    const since = nullToNegInf(snap.correctionsSinceMs);
    for (const gs of snap.corrections) fill(p.correctionGroup(gs.serverId, gs, since), gs);
    return p;
  }
}

function segmentRecord(g: Group, meterNames: readonly string[]): SegmentRecord {
  const accs: SegmentRecord['accs'] = {};
  g.accs.forEach((a, i) => {
    if (a !== undefined) accs[meterNames[i] as string] = a.snapshot();
  });
  return { startMs: g.startMs, endMs: g.endMs, accs };
}

const newGroup = (serverId: string, seg: Segment, meterCount: number): Group => ({
  serverId,
  startMs: seg.startMs,
  endMs: seg.endMs,
  accs: new Array<Acc | undefined>(meterCount),
  done: false,
});
