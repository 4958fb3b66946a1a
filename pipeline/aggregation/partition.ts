// The aggregation state of one source partition: its clock (watermark, idleness, closed
// point), its counter baselines, the open segments waiting for the watermark, and the pending
// correction parts of segments already emitted. Partitions are independent (a series lives on
// one partition), which lets the aggregate role hand one over on a rebalance
// (snapshotPartition / restorePartition / revokePartition on the Aggregator).
import { type AccSnapshot, type CompiledMeter, restoreInto, snapshotOf } from './accumulator.js';
import { Slab } from './slab.js';
import { CounterBaselines, type CounterSnapshot, ServerSeries } from './counters.js';
import { finiteOrNull, newClock, nullToNegInf, type PartitionClock } from '../windows/watermark.js';
import type { Cuts, Segment } from '../windows/segments.js';
import type { SegmentRecord } from './changes.js';
import { StateChanges } from './state-changes.js';

/**
 * Everything of one server on a partition, found with one Map lookup per sample: its counter
 * series (the class it extends) and its open rows. One object and one Map entry per server — a
 * separate series object and a second Map keyed by server cost ≈ 100 bytes more per server.
 */
export class ServerState extends ServerSeries {
  /**
   * First slab row of its open segments (−1: none), chained through slab.next in creation
   * order: a handful, so a linear scan beats a Map, and no array per server.
   */
  head = -1;
  /** The row the last on-time sample went to (samples of a server mostly arrive in order); −1 none. */
  last = -1;
  /** Changelog flags of the server's counter baselines (state-changes.ts). */
  counterFlags = 0;
  /** Its last window's cuts (the aggregator's Segmenter keeps them here: CutsHolder). */
  cuts: Cuts | undefined = undefined;

  constructor(
    readonly serverId: string,
    /** Its number on the partition, which its slab rows hold (slab.server); −1 outside one. */
    readonly index = -1,
  ) {
    super();
  }

  /** This server's counter series: the object itself. */
  get series(): ServerSeries {
    return this;
  }
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

/** Canonical emission order of rows: by end, then server, then start (independent of history). */
function canonical(slab: Slab, rows: number[], ids: readonly (ServerState | undefined)[]): number[] {
  const { start, server } = slab;
  return rows.sort((a, b) => {
    const sa = (ids[server[a] as number] as ServerState).serverId;
    const sb = (ids[server[b] as number] as ServerState).serverId;
    return slab.endOf(a) - slab.endOf(b) || (sa < sb ? -1 : sa > sb ? 1 : 0) || (start[a] as number) - (start[b] as number);
  });
}

export class PartitionState {
  clock: PartitionClock = newClock();
  /** serverId → its series and open rows (`servers`, the same Map). */
  readonly counters = new CounterBaselines((id) => this.numbered(id));
  /**
   * The servers by number: a slab row holds its server's number (4 bytes in a typed column)
   * rather than a reference to its id (8 bytes in a JS array the collector walks: ≈ 9 MiB at
   * 1.1 million rows). Numbers of swept servers are reused.
   */
  private readonly byNumber: (ServerState | undefined)[] = [];
  private readonly freeNumbers: number[] = [];
  /** The accumulators of every open segment and pending correction: one row each. */
  readonly slab: Slab;
  private readonly servers = this.counters.servers;
  /**
   * Distinct ends of open rows, ascending, and the first row per end (the others chained through
   * slab.sameEnd: no JS array of rows, 8 bytes per row on the heap): a sweep is O(emitted).
   */
  private readonly ends: number[] = [];
  private readonly byEnd = new Map<number, number>();
  /** Open rows per end (rowsEndingBy: how large a close would be). */
  private readonly endRows = new Map<number, number>();
  private openRowCount = 0;
  /** serverId → segment start → pending correction row. */
  private corrections = new Map<string, Map<number, number>>();
  pendingCorrections = 0;
  correctionsSinceMs = Number.NEGATIVE_INFINITY;
  /** Bumped each time the pending corrections are emitted (changes.ts). */
  correctionsEpoch = 0;
  /** What changed since the last drain, for the incremental changelog (state-changes.ts). */
  readonly changes: StateChanges;

  constructor(
    readonly partition: number,
    meters: readonly CompiledMeter[],
  ) {
    this.slab = new Slab(meters);
    this.changes = new StateChanges(partition, this.slab, this.servers, (row) => this.serverIdOf(row));
  }

  server(serverId: string): ServerState {
    return this.counters.forServer(serverId);
  }

  /** Forgets a server's cached window cuts (its split points changed). */
  forgetCuts(serverId: string): void {
    const st = this.servers.get(serverId);
    if (st !== undefined) st.cuts = undefined;
  }

  /** Servers whose window cuts are cached (introspection). */
  get cachedCuts(): number {
    let n = 0;
    for (const st of this.servers.values()) if (st.cuts !== undefined) n++;
    return n;
  }

  /** The server id of a row in use. */
  serverIdOf(row: number): string {
    return (this.byNumber[this.slab.server[row] as number] as ServerState).serverId;
  }

  private numbered(serverId: string): ServerState {
    const n = this.freeNumbers.pop() ?? this.byNumber.length;
    const st = new ServerState(serverId, n);
    this.byNumber[n] = st;
    return st;
  }

  /** The open row of (server, segment), created if absent. */
  openRow(st: ServerState, seg: Segment): number {
    const start = this.slab.start;
    // st.last is always one of the server's open rows (takeClosed resets it): no staleness check.
    if (st.last >= 0 && start[st.last] === seg.startMs) return st.last;
    const next = this.slab.next;
    let row = -1;
    let tail = -1;
    for (let r = st.head; r >= 0; r = next[r] as number) {
      if (start[r] === seg.startMs) row = r;
      tail = r;
    }
    if (row < 0) {
      row = this.slab.alloc(st.index, seg.startMs, seg.endMs);
      if (tail < 0) st.head = row;
      else this.slab.next[tail] = row;
      this.indexByEnd(row, seg.endMs);
    }
    st.last = row;
    return row;
  }

  /**
   * The pending correction row of (server, segment), created if absent. Its server keeps its
   * ServerState (numbered) while the correction is pending: a sweep skips it.
   */
  correctionRow(serverId: string, seg: Segment, nowMs: number): number {
    let perServer = this.corrections.get(serverId);
    if (perServer === undefined) {
      perServer = new Map();
      this.corrections.set(serverId, perServer);
    }
    let row = perServer.get(seg.startMs);
    if (row === undefined) {
      row = this.slab.alloc(this.server(serverId).index, seg.startMs, seg.endMs);
      this.changes.isCorrection(row);
      perServer.set(seg.startMs, row);
      if (this.pendingCorrections === 0) this.correctionsSinceMs = nowMs;
      this.pendingCorrections++;
    }
    return row;
  }

  private indexByEnd(row: number, endMs: number): void {
    const head = this.byEnd.get(endMs);
    this.slab.sameEnd[row] = head ?? -1;
    this.byEnd.set(endMs, row);
    this.endRows.set(endMs, (this.endRows.get(endMs) ?? 0) + 1);
    this.openRowCount++;
    if (head !== undefined) return;
    // Binary insert: new ends appear about once per window, so this is off the hot path.
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) < endMs) lo = mid + 1;
      else hi = mid;
    }
    this.ends.splice(lo, 0, endMs);
  }

  /** Servers with open rows or counter baselines. */
  get serverCount(): number {
    return this.servers.size;
  }

  /** How many open rows the partition holds. */
  get openCount(): number {
    return this.openRowCount;
  }

  /** Smallest end among open rows (+Infinity when none). */
  get nextEndMs(): number {
    return this.ends.length === 0 ? Number.POSITIVE_INFINITY : (this.ends[0] as number);
  }

  /** Open rows ending at or before upToMs: what takeClosed(upToMs) would take. */
  rowsEndingBy(upToMs: number): number {
    let n = 0;
    for (const end of this.ends) {
      if (end > upToMs) break;
      n += this.endRows.get(end) ?? 0;
    }
    return n;
  }

  /**
   * Removes and returns the open rows ending at or before upToMs, in canonical order. The rows
   * stay allocated until release(): the caller reads them to emit their parts first.
   */
  takeClosed(upToMs: number): number[] {
    const out: number[] = [];
    while (this.ends.length > 0 && (this.ends[0] as number) <= upToMs) {
      const end = this.ends.shift() as number;
      const sameEnd = this.slab.sameEnd;
      for (let row = this.byEnd.get(end) ?? -1; row >= 0; row = sameEnd[row] as number) {
        const st = this.byNumber[this.slab.server[row] as number];
        if (st !== undefined) {
          this.unlink(st, row);
          if (st.last === row) st.last = -1;
        }
        out.push(row);
        this.openRowCount--;
      }
      this.byEnd.delete(end);
      this.endRows.delete(end);
    }
    return canonical(this.slab, out, this.byNumber);
  }

  /** Takes a row out of its server's list of open rows. */
  private unlink(st: ServerState, row: number): void {
    const next = this.slab.next;
    if (st.head === row) st.head = next[row] as number;
    else {
      let r = st.head;
      while (r >= 0 && next[r] !== row) r = next[r] as number;
      if (r >= 0) next[r] = next[row] as number;
    }
    next[row] = -1;
  }

  /** The open rows of a server, in creation order. */
  private openRows(st: ServerState): number[] {
    const out: number[] = [];
    for (let r = st.head; r >= 0; r = this.slab.next[r] as number) out.push(r);
    return out;
  }

  /** Removes and returns every pending correction row, in canonical order (release() them after). */
  takeCorrections(): number[] {
    const out: number[] = [];
    for (const perServer of this.corrections.values()) out.push(...perServer.values());
    this.corrections = new Map();
    this.correctionsEpoch++;
    this.pendingCorrections = 0;
    this.correctionsSinceMs = Number.NEGATIVE_INFINITY;
    return canonical(this.slab, out, this.byNumber);
  }

  /** Recycles rows taken (and emitted); the changelog records of those it holds are deleted. */
  release(rows: readonly number[]): void {
    for (const row of rows) {
      this.changes.rowGone(row);
      this.slab.free(row);
    }
  }

  /** Every row and every server's counters (the changelog's full rewrite, e.g. after a format change). */
  markAllChanged(): void {
    for (const st of this.servers.values()) {
      for (let r = st.head; r >= 0; r = this.slab.next[r] as number) this.changes.touchRow(r);
      if (st.size > 0) this.changes.touchCounters(st);
    }
    for (const perServer of this.corrections.values()) for (const row of perServer.values()) this.changes.touchRow(row);
  }

  /**
   * Drops servers that hold nothing: no open segment, no pending correction, and no counter
   * series newer than `seriesCutoffMs` (event time). Bounds memory by the live servers.
   */
  sweep(seriesCutoffMs: number): void {
    for (const [id, st] of this.servers) {
      if (st.head >= 0 || this.corrections.has(id)) continue;
      let live = false;
      for (const r of st.values()) if (r.tsMs >= seriesCutoffMs) live = true;
      if (live) continue;
      this.counters.drop(id);
      this.changes.serverGone(st);
      this.byNumber[st.index] = undefined;
      this.freeNumbers.push(st.index);
    }
  }

  snapshot(meterNames: readonly string[]): PartitionSnapshot {
    const rows = (lists: Iterable<Iterable<number>>): GroupSnapshot[] => {
      const out: GroupSnapshot[] = [];
      for (const list of lists) {
        for (const row of list) out.push({ serverId: this.serverIdOf(row), ...segmentRecord(this.slab, row, meterNames) });
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
      open: rows([...this.servers.values()].map((st) => this.openRows(st))),
      corrections: rows([...this.corrections.values()].map((m) => m.values())),
    };
  }

  /** Rebuilds a partition; `meterIndex` maps a meter name to its slot (unknown → throws). */
  static restore(snap: PartitionSnapshot, meters: readonly CompiledMeter[], meterIndex: (name: string) => number): PartitionState {
    const p = new PartitionState(snap.partition, meters);
    p.clock = {
      maxEventTsMs: nullToNegInf(snap.maxEventTsMs),
      lastActivityMs: nullToNegInf(snap.lastActivityMs),
      closedUpToMs: nullToNegInf(snap.closedUpToMs),
    };
    // Every server with a baseline gets its ServerState, so a sweep can see (and drop) it.
    p.counters.load(snap.counters);
    const fill = (row: number, gs: GroupSnapshot): void => {
      for (const [name, a] of Object.entries(gs.accs)) restoreInto(p.slab, row, meterIndex(name), a);
    };
    for (const gs of snap.open) fill(p.openRow(p.server(gs.serverId), gs), gs);
    const since = nullToNegInf(snap.correctionsSinceMs);
    for (const gs of snap.corrections) fill(p.correctionRow(gs.serverId, gs, since), gs);
    return p;
  }
}

function segmentRecord(slab: Slab, row: number, meterNames: readonly string[]): SegmentRecord {
  const accs: SegmentRecord['accs'] = {};
  meterNames.forEach((name, m) => {
    if (slab.has(row, m)) accs[name] = snapshotOf(slab, row, m);
  });
  return { startMs: slab.start[row] as number, endMs: slab.endOf(row), accs };
}
