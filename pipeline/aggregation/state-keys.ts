// Keys of the aggregate state changelog (pipeline/aggregate/changelog.ts), one compacted topic
// co-partitioned with metrics.raw. Since format 4 the unit of state is a window, as in Kafka
// Streams' windowed stores: one record per (server, open segment), one per (server, pending
// correction) and one per server for its counter baselines, so a sample rewrites the record of
// the one window it fed, not every open window of its server.
//
//   "<p>"                          the partition's meta record (clock, configuration, next offset)
//   "<p>/<server>"                 format 2 / 3: everything of one server (read, then replaced)
//   "<p>#o<startMs>/<server>"      format 4: an open segment
//   "<p>#c<startMs>/<server>"      format 4: a pending correction
//   "<p>#k/<server>"               format 4: the server's counter baselines
//
// A server id may hold any character, so it always comes last, after the first "/" that
// follows the fixed part: "<p>#o<startMs>/" cannot be read two ways (startMs is an integer).
// The "#" keeps format-4 keys apart from format-3 ones ("<p>/…") under compaction.

export const metaKey = (partition: number): string => String(partition);
export const legacyServerKey = (partition: number, serverId: string): string => `${partition}/${serverId}`;
export const segmentKey = (partition: number, correction: boolean, startMs: number, serverId: string): string =>
  `${partition}#${correction ? 'c' : 'o'}${startMs}/${serverId}`;
export const countersKey = (partition: number, serverId: string): string => `${partition}#k/${serverId}`;

export type StateKey =
  | { kind: 'meta' }
  | { kind: 'legacy'; serverId: string }
  | { kind: 'open' | 'correction'; startMs: number; serverId: string }
  | { kind: 'counters'; serverId: string };

/** What a key of partition `partition` names; undefined: not a key of that partition. */
export function parseStateKey(partition: number, key: string): StateKey | undefined {
  const p = metaKey(partition);
  if (!key.startsWith(p)) return undefined;
  if (key.length === p.length) return { kind: 'meta' };
  const sep = key.charCodeAt(p.length);
  if (sep === 0x2f /* / */) return { kind: 'legacy', serverId: key.slice(p.length + 1) };
  if (sep !== 0x23 /* # */) return undefined; // another partition ("1" is a prefix of "10")
  const tag = key[p.length + 1];
  const slash = key.indexOf('/', p.length + 2);
  if (slash < 0) return undefined;
  const serverId = key.slice(slash + 1);
  if (tag === 'k') return slash === p.length + 2 ? { kind: 'counters', serverId } : undefined;
  if (tag !== 'o' && tag !== 'c') return undefined;
  const digits = key.slice(p.length + 2, slash);
  const startMs = Number(digits);
  if (!/^-?\d+$/.test(digits) || !Number.isSafeInteger(startMs)) return undefined;
  return { kind: tag === 'o' ? 'open' : 'correction', startMs, serverId };
}
