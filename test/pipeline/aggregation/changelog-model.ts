// A compacted changelog in memory, as the aggregate role's topic behaves (newest record per key,
// a tombstone deletes), fed by Aggregator.drainChanges and read back by restoreFromRecords. It
// can also write a partition's state as the records of formats 2 and 3 (one per server, as a
// version before format 4 wrote them), built from the aggregator's snapshot — an independent
// path — to test an upgrade in place.
import type { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { PartitionMeta, ServerRecord } from '../../../pipeline/aggregation/changes.js';
import { encodePacked } from '../../../pipeline/aggregation/record-codec.js';
import { legacyServerKey } from '../../../pipeline/aggregation/state-keys.js';

export class ChangelogModel {
  readonly metas = new Map<number, string>();
  /** partition → key → value (compacted). */
  readonly records = new Map<number, Map<string, Buffer>>();
  /** Records written (values and tombstones), and the value bytes, over all commits. */
  writes = 0;
  bytes = 0;
  tombstones = 0;

  /** One commit: each partition's changes since the previous one, and its meta. */
  commit(agg: Aggregator, partitions: readonly number[]): void {
    for (const p of partitions) {
      const mine = this.of(p);
      const meta = agg.drainChanges(p, (key, value) => {
        this.writes++;
        if (value === null) {
          this.tombstones++;
          mine.delete(key);
        } else {
          this.bytes += value.length;
          mine.set(key, value);
        }
      });
      if (meta !== undefined) this.metas.set(p, JSON.stringify(meta));
    }
  }

  of(p: number): Map<string, Buffer> {
    let mine = this.records.get(p);
    if (mine === undefined) this.records.set(p, (mine = new Map()));
    return mine;
  }

  /** Keys of partition p, sorted. */
  keys(p: number): string[] {
    return [...this.of(p).keys()].sort();
  }

  restoreInto(agg: Aggregator, p: number, nowMs: number): void {
    const meta = this.metas.get(p);
    if (meta === undefined) return;
    agg.restoreFromRecords(JSON.parse(meta) as PartitionMeta, this.of(p), nowMs);
  }

  /**
   * Replaces partition p's records by its state as formats 2/3 held it (legacyState), and its
   * meta by a version-2 one.
   */
  writeLegacy(agg: Aggregator, p: number, format: 'json' | 'packed' | 'mixed'): void {
    const legacy = legacyState(agg, p, format);
    const mine = this.of(p);
    mine.clear();
    this.metas.set(p, JSON.stringify(legacy.meta));
    for (const [k, v] of legacy.records) mine.set(k, v);
  }
}

/**
 * Partition p's state as a version before format 4 wrote it, from `agg`'s snapshot: a meta of
 * version 2 and one record per server (JSON when `format` is 'json', binary when 'packed',
 * alternating when 'mixed'), keyed "<p>/<server id>".
 */
export function legacyState(agg: Aggregator, p: number, format: 'json' | 'packed' | 'mixed'): { meta: Omit<PartitionMeta, 'order'>; records: Map<string, Buffer> } {
  const { order: _order, ...rest } = agg.metaOf(p);
  const meta = { ...rest, version: 2 as const };
  const records = new Map<string, Buffer>();
  const snap = agg.snapshotPartition(p)?.partitions[0];
  if (snap === undefined) return { meta, records };
  const byServer = new Map<string, ServerRecord>();
  const of = (id: string): ServerRecord => {
    let r = byServer.get(id);
    if (r === undefined) byServer.set(id, (r = { serverId: id, open: [], corrections: [], counters: [] }));
    return r;
  };
  for (const [id, metric, ts, v] of snap.counters) of(id).counters.push([metric, ts, v]);
  for (const { serverId, ...g } of snap.open) of(serverId).open.push(g);
  for (const { serverId, ...g } of snap.corrections) of(serverId).corrections.push({ ...g, epoch: meta.correctionsEpoch });
  let i = 0;
  for (const r of byServer.values()) {
    const json = format === 'json' || (format === 'mixed' && i++ % 2 === 0);
    records.set(legacyServerKey(p, r.serverId), json ? Buffer.from(JSON.stringify(r)) : encodePacked(r));
  }
  return { meta, records };
}
