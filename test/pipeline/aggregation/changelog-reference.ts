// What a partition's format-4 changelog must hold after a commit, derived from the aggregator's
// snapshot (snapshotOf per cell, a path independent of the window codec), with the keys spelt
// out here rather than by state-keys.ts: one record per open segment, per pending correction
// and per server holding counter baselines — nothing of emitted windows or swept servers.
import type { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { PartitionMeta } from '../../../pipeline/aggregation/changes.js';
import { decodeCounters, decodeSegment } from '../../../pipeline/aggregation/window-codec.js';
import type { ChangelogModel } from './changelog-model.js';

type Counters = Array<[string, number, string]>;
export type Decoded = Map<string, { startMs: number; endMs: number; accs: unknown } | Counters>;

const sorted = (c: Counters): Counters => [...c].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** key → segment (start, end, accumulators) or counters ([metric, ts, value] by metric), from the snapshot. */
export function expectedRecords(agg: Aggregator, p: number): Decoded {
  const out: Decoded = new Map();
  const snap = agg.snapshotPartition(p)?.partitions[0];
  if (snap === undefined) return out;
  for (const { serverId, ...g } of snap.open) out.set(`${p}#o${g.startMs}/${serverId}`, g);
  for (const { serverId, ...g } of snap.corrections) out.set(`${p}#c${g.startMs}/${serverId}`, g);
  const counters = new Map<string, Counters>();
  for (const [id, metric, ts, v] of snap.counters) counters.set(id, [...(counters.get(id) ?? []), [metric, ts, v]]);
  for (const [id, c] of counters) out.set(`${p}#k/${id}`, sorted(c));
  return out;
}

/** The model's records of partition p, decoded with its meta's meter order. */
export function storedRecords(log: ChangelogModel, p: number): Decoded {
  const out: Decoded = new Map();
  const meta = log.metas.get(p);
  if (meta === undefined) return out;
  const order = (JSON.parse(meta) as PartitionMeta).order ?? [];
  for (const [key, value] of log.of(p)) out.set(key, key.startsWith(`${p}#k/`) ? sorted(decodeCounters(value)) : decodeSegment(value, order));
  return out;
}

/** Both, keys sorted, for one deepEqual. */
export const entries = (d: Decoded): Array<[string, unknown]> => [...d].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
