// The aggregation state of one source partition: its clock (watermark, idleness, closed
// point), its counter baselines, the open segments waiting for the watermark, and the pending
// correction parts of segments already emitted. Partitions are independent (a series lives on
// one partition), which lets the aggregate role hand one over on a rebalance
// (snapshotPartition / restorePartition / revokePartition on the Aggregator).
import { Acc, type AccSnapshot } from './accumulator.js';
import { CounterBaselines, type CounterSnapshot } from './counters.js';
import { finiteOrNull, newClock, nullToNegInf, type PartitionClock } from '../windows/watermark.js';
import type { Segment } from '../windows/segments.js';

/** The accumulators of one server over one segment, one slot per configured meter. */
export interface Group {
  readonly serverId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly accs: Array<Acc | undefined>;
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
  /** serverId → segment start → open group. */
  private readonly open = new Map<string, Map<number, Group>>();
  /** Distinct ends of open groups, ascending, and the groups per end: a sweep is O(emitted). */
  private readonly ends: number[] = [];
  private readonly byEnd = new Map<number, Group[]>();
  /** serverId → segment start → pending correction group. */
  private corrections = new Map<string, Map<number, Group>>();
  pendingCorrections = 0;
  correctionsSinceMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly partition: number,
    private readonly meterCount: number,
  ) {}

  /** The open group of (server, segment), created if absent. */
  openGroup(serverId: string, seg: Segment): Group {
    let perServer = this.open.get(serverId);
    if (perServer === undefined) {
      perServer = new Map();
      this.open.set(serverId, perServer);
    }
    let g = perServer.get(seg.startMs);
    if (g === undefined) {
      g = { serverId, startMs: seg.startMs, endMs: seg.endMs, accs: new Array<Acc | undefined>(this.meterCount) };
      perServer.set(seg.startMs, g);
      this.indexByEnd(g);
    }
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
      g = { serverId, startMs: seg.startMs, endMs: seg.endMs, accs: new Array<Acc | undefined>(this.meterCount) };
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
        const perServer = this.open.get(g.serverId);
        perServer?.delete(g.startMs);
        if (perServer?.size === 0) this.open.delete(g.serverId);
        out.push(g);
      }
    }
    return out.sort(byEndServerStart);
  }

  /** Removes and returns every pending correction group, in canonical order. */
  takeCorrections(): Group[] {
    const out: Group[] = [];
    for (const perServer of this.corrections.values()) out.push(...perServer.values());
    this.corrections = new Map();
    this.pendingCorrections = 0;
    this.correctionsSinceMs = Number.NEGATIVE_INFINITY;
    return out.sort(byEndServerStart);
  }

  snapshot(meterNames: readonly string[]): PartitionSnapshot {
    const groups = (m: Map<string, Map<number, Group>>): GroupSnapshot[] => {
      const out: GroupSnapshot[] = [];
      for (const perServer of m.values()) {
        for (const g of perServer.values()) {
          const accs: Record<string, AccSnapshot> = {};
          g.accs.forEach((a, i) => {
            if (a !== undefined) accs[meterNames[i] as string] = a.snapshot();
          });
          out.push({ serverId: g.serverId, startMs: g.startMs, endMs: g.endMs, accs });
        }
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
      open: groups(this.open),
      corrections: groups(this.corrections),
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
    const fill = (g: Group, gs: GroupSnapshot): void => {
      for (const [name, a] of Object.entries(gs.accs)) g.accs[meterIndex(name)] = Acc.restore(a);
    };
    for (const gs of snap.open) fill(p.openGroup(gs.serverId, gs), gs);
    const since = nullToNegInf(snap.correctionsSinceMs);
    for (const gs of snap.corrections) fill(p.correctionGroup(gs.serverId, gs, since), gs);
    return p;
  }
}
