// Incremental state of one source partition (the aggregate role's changelog, like a Kafka
// Streams store changelog): instead of the whole partition at every commit, the records of what
// changed since the last commit, tombstones for what went, and one small meta record (clock,
// correction epoch, configuration header).
//
// Format 4 (state-keys.ts, window-codec.ts) keeps one record per open segment, per pending
// correction and per server's counter baselines; a record is deleted (a tombstone in the same
// transaction) when its segment is emitted or its server swept. The types below also describe
// the records of formats 2 and 3, which held everything of one server in one record: emitting a
// segment did not rewrite it — the meta's closed point said which open segments were emitted
// (endMs ≤ closedUpToMs), its correction epoch which pending corrections were (an older one).
// Those are still read after an upgrade (read-records.ts), and replaced by the next commit.
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
  /** 2: before format 4 (server records); 3: format 4 (window records, `order`). */
  version: 2 | 3;
  /** Meter names by the number a format-4 record gives them (the slab's columns when written). */
  order?: string[];
  partition: number;
  maxEventTsMs: number | null;
  lastActivityMs: number | null;
  closedUpToMs: number | null;
  correctionsSinceMs: number | null;
  /** Incremented whenever pending corrections are emitted; records' older corrections are spent. */
  correctionsEpoch: number;
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
