// Incremental state of one source partition (the aggregate role's changelog, like a Kafka
// Streams store changelog): instead of the whole partition at every commit, the records of the
// servers whose state changed since the last commit, tombstones for servers that no longer hold
// anything, and one small meta record (clock, correction epoch, configuration header).
//
// A server record holds everything of one server: its open segments, its pending corrections
// and its counter baselines. Emitting a segment does NOT rewrite the server's record: the meta's
// closed point says which open segments were emitted (endMs ≤ closedUpToMs), and the meta's
// correction epoch says which pending corrections were (those of an older epoch). So a server
// costs one record write per commit in which it received samples, nothing at window close.
import type { GroupSnapshot, PartitionSnapshot } from './partition.js';
import type { AggregatorSnapshot } from './snapshot.js';

/** A segment's accumulators inside a server record (the server id is the record's). */
export type SegmentRecord = Omit<GroupSnapshot, 'serverId'>;

export interface ServerRecord {
  serverId: string;
  open: SegmentRecord[];
  corrections: CorrectionRecord[];
  /** [metric, tsMs, value] of each counter series of the server. */
  counters: Array<[string, number, string]>;
}

export interface PartitionMeta extends Omit<AggregatorSnapshot, 'partitions' | 'version'> {
  version: 2;
  partition: number;
  maxEventTsMs: number | null;
  lastActivityMs: number | null;
  closedUpToMs: number | null;
  correctionsSinceMs: number | null;
  /** Incremented whenever pending corrections are emitted; records' older corrections are spent. */
  correctionsEpoch: number;
}

/** A partition's changes since the previous drain. */
export interface PartitionChanges {
  meta: PartitionMeta;
  /** Servers whose state changed (their whole, small, current record). */
  upserts: ServerRecord[];
  /** Servers that hold nothing any more (written as tombstones). */
  removed: string[];
}

/** A correction segment record carries the epoch it was pending in. */
export interface CorrectionRecord extends SegmentRecord {
  epoch?: number;
}

/**
 * The partition snapshot that a meta record and the newest record of every server describe:
 * open segments the closed point passed and corrections of an older epoch were emitted already.
 */
export function snapshotFromRecords(meta: PartitionMeta, servers: Iterable<ServerRecord>): AggregatorSnapshot {
  const closed = meta.closedUpToMs ?? Number.NEGATIVE_INFINITY;
  const p: PartitionSnapshot = {
    partition: meta.partition,
    maxEventTsMs: meta.maxEventTsMs,
    lastActivityMs: meta.lastActivityMs,
    closedUpToMs: meta.closedUpToMs,
    correctionsSinceMs: meta.correctionsSinceMs,
    counters: [],
    open: [],
    corrections: [],
  };
  let pendingCorrections = 0;
  for (const s of servers) {
    for (const [metric, ts, v] of s.counters) p.counters.push([s.serverId, metric, ts, v]);
    for (const g of s.open) if (g.endMs > closed) p.open.push({ serverId: s.serverId, ...g });
    for (const g of s.corrections) {
      if (g.epoch !== meta.correctionsEpoch) continue;
      const { epoch: _spent, ...rest } = g;
      p.corrections.push({ serverId: s.serverId, ...rest });
      pendingCorrections++;
    }
  }
  if (pendingCorrections === 0) p.correctionsSinceMs = null;
  return { version: 1, windowMs: meta.windowMs, meters: meta.meters, partitions: [p] };
}
