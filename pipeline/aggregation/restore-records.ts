// A partition's changelog records, sorted by readRecords, written straight into its state when
// the configuration is unchanged (a migration goes through snapshots instead: aggregator.ts):
// format-3 server records and format-4 windows into the slab, counter baselines into their
// servers. What is restored is marked as kept in the changelog, so the next drain writes only
// what changes after it; an open window the closed point passed was emitted already, so its
// record is deleted.
import type { PartitionMeta } from './changes.js';
import type { PartitionState } from './partition.js';
import { restorePacked } from './packed-restore.js';
import type { ReadRecords } from './read-records.js';
import { restoreCounters, restoreSegment } from './window-codec.js';
import { nullToNegInf } from '../windows/watermark.js';

export function restoreRecordsInto(p: PartitionState, read: ReadRecords, meta: PartitionMeta, meterIndex: (name: string) => number): void {
  const ctx = {
    meterIndex,
    closedUpToMs: nullToNegInf(meta.closedUpToMs),
    correctionsEpoch: meta.correctionsEpoch,
    correctionsSinceMs: nullToNegInf(meta.correctionsSinceMs),
  };
  for (const b of read.packed) restorePacked(p, b, ctx);
  const index = (meta.order ?? []).map(meterIndex);
  for (const w of read.windows) {
    const row = restoreSegment(p, w.serverId, w.correction, w.value, index, ctx);
    // An open segment the closed point passed was emitted: its record should have gone with it.
    if (row < 0) p.changes.dropKeys([w.key]);
    else p.changes.markKept(row);
  }
  for (const [id, b] of read.counters) {
    const st = p.server(id);
    restoreCounters(st, b);
    p.changes.markCountersKept(st);
  }
}
