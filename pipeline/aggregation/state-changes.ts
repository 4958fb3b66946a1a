// What changed in one partition's state since the last drain, for the aggregate role's
// incremental changelog (format 4, state-keys.ts): the rows (open segments, pending corrections)
// and servers' counter baselines a sample changed, and the keys of records to delete — those the
// changelog holds of rows emitted and servers swept since. A drain hands them out as records.
//
// Flags, not sets: a row's flags live in the slab (slab.flags, one byte per row), a server's on
// its ServerState, so marking a change on the hot path is a byte test, and each row or server is
// listed once until drained. Nothing is listed for a row created and emitted between two drains
// (never written, so nothing to delete), and `meterline bill`, which never drains, keeps the
// lists bounded by compacting them.
import type { ServerState } from './partition.js';
import type { Writer } from './record-codec.js';
import type { Slab } from './slab.js';
import { countersKey, segmentKey } from './state-keys.js';
import { writeCounters, writeSegment } from './window-codec.js';

const DIRTY = 1; // changed since the last drain
const KEPT = 2; // the changelog holds a record of it (a tombstone is due when it goes)
const CORRECTION = 4; // a pending correction row (its key differs from an open one's)
const SEEN = 8; // compacting the dirty list

export class StateChanges {
  /** Rows changed since the last drain (a row freed and reused may be listed twice: written once). */
  private dirtyRows: number[] = [];
  private dirtyServers: ServerState[] = [];
  /** Keys to delete at the next drain. */
  private tombstones: string[] = [];

  constructor(
    private readonly partition: number,
    private readonly slab: Slab,
    /** The partition's live servers (a swept one is dropped from the list when compacted). */
    private readonly servers: ReadonlyMap<string, ServerState>,
    /** The server id of a row in use (rows hold their server's number: partition.ts). */
    private readonly serverIdOf: (row: number) => string,
  ) {}

  /** A row just allocated is a pending correction's. */
  isCorrection(row: number): void {
    this.slab.flags[row] = CORRECTION;
  }

  /** A sample changed the row: the next drain writes it. */
  touchRow(row: number): void {
    const flags = this.slab.flags;
    const f = flags[row] as number;
    if (f & DIRTY) return;
    flags[row] = f | DIRTY;
    // Without drains (meterline bill) the list would keep every row ever fed: compact it.
    if (this.dirtyRows.push(row) > 2 * this.slab.size + 1024) this.dirtyRows = this.compact(this.dirtyRows);
  }

  /** A sample changed the server's counter baselines: the next drain writes them. */
  touchCounters(st: ServerState): void {
    if (st.counterFlags & DIRTY) return;
    st.counterFlags |= DIRTY;
    if (this.dirtyServers.push(st) > 2 * this.servers.size + 1024) {
      this.dirtyServers = this.dirtyServers.filter((s) => s.counterFlags & DIRTY && this.servers.get(s.serverId) === s);
    }
  }

  /** The dirty rows of `rows`, each once. */
  private compact(rows: readonly number[]): number[] {
    const flags = this.slab.flags;
    const out: number[] = [];
    for (const row of rows) {
      const f = flags[row] as number;
      if ((f & DIRTY) === 0 || f & SEEN) continue;
      flags[row] = f | SEEN;
      out.push(row);
    }
    for (const row of out) flags[row] = (flags[row] as number) & ~SEEN;
    return out;
  }

  /** The row goes (emitted): the record the changelog holds of it is deleted. Call before freeing it. */
  rowGone(row: number): void {
    const { flags, start } = this.slab;
    const f = flags[row] as number;
    if (f & KEPT) this.tombstones.push(segmentKey(this.partition, (f & CORRECTION) !== 0, start[row] as number, this.serverIdOf(row)));
    flags[row] = 0;
  }

  /** The server was swept: the record of its counters is deleted. */
  serverGone(st: ServerState): void {
    if (st.counterFlags & KEPT) this.tombstones.push(countersKey(this.partition, st.serverId));
    st.counterFlags = 0;
  }

  /** Records the changelog holds (restored): their deletion is due when they go. */
  markKept(row: number): void {
    if (row >= 0) this.slab.flags[row] = (this.slab.flags[row] as number) | KEPT;
  }

  markCountersKept(st: ServerState): void {
    st.counterFlags |= KEPT;
  }

  /** Deletes `keys` at the next drain (records an upgrade or a migration replaces). */
  dropKeys(keys: Iterable<string>): void {
    for (const k of keys) this.tombstones.push(k);
  }

  /**
   * Hands the changes since the last drain to `out`: deletions first (a key deleted and written
   * again in one commit ends written), then each changed row, then each changed server's counters.
   */
  drain(w: Writer, out: (key: string, value: Buffer | null) => void): void {
    const { flags, start } = this.slab;
    const n = this.partition;
    for (const key of this.tombstones) out(key, null);
    this.tombstones = [];
    const rows = this.dirtyRows;
    this.dirtyRows = [];
    for (const row of rows) {
      const f = flags[row] as number;
      if ((f & DIRTY) === 0) continue; // freed since, or listed twice
      flags[row] = (f & ~DIRTY) | KEPT;
      out(segmentKey(n, (f & CORRECTION) !== 0, start[row] as number, this.serverIdOf(row)), writeSegment(w, this.slab, row));
    }
    const servers = this.dirtyServers;
    this.dirtyServers = [];
    for (const st of servers) {
      if ((st.counterFlags & DIRTY) === 0) continue;
      st.counterFlags = KEPT;
      out(countersKey(n, st.serverId), writeCounters(w, st));
    }
  }
}
