// Sorting a partition's stored changelog records (newest per key) by what their keys name
// (state-keys.ts) before a restore: format-4 windows and counters, format-2/3 server records of
// a version before the upgrade, and their keys (deleted once the state is written anew).
import type { CorrectionRecord, PartitionMeta, ServerRecord } from './changes.js';
import { decodePacked, isPacked } from './record-codec.js';
import { parseStateKey } from './state-keys.js';
import { decodeCounters, decodeSegment, isWindowRecord, WINDOW_FORMAT } from './window-codec.js';
import { MeterlineError } from '../../lib/errors.js';

export interface WindowRecord {
  key: string;
  serverId: string;
  correction: boolean;
  value: Buffer;
}

export interface ReadRecords {
  /** Format 2 (JSON) server records, parsed. */
  json: ServerRecord[];
  /** Format 3 (binary) server records. */
  packed: Buffer[];
  /** Keys of format-2/3 records. */
  legacyKeys: string[];
  windows: WindowRecord[];
  /** [server id, record] of format-4 counter baselines. */
  counters: Array<[string, Buffer]>;
  /** Keys of format-4 records. */
  windowKeys: string[];
  /** Every record above as ServerRecords (for a migration, which works on snapshots). */
  decodeAll(): ServerRecord[];
}

export function readRecords(meta: PartitionMeta, records: Iterable<readonly [string, Buffer]>): ReadRecords {
  const r: Omit<ReadRecords, 'decodeAll'> = { json: [], packed: [], legacyKeys: [], windows: [], counters: [], windowKeys: [] };
  for (const [key, value] of records) {
    const k = parseStateKey(meta.partition, key);
    // Keys of other partitions, and the meta itself, are not state records of this one.
    if (k === undefined || k.kind === 'meta') continue;
    if (k.kind === 'legacy') {
      r.legacyKeys.push(key);
      if (isPacked(value)) r.packed.push(value);
      else r.json.push(JSON.parse(value.toString('utf8')) as ServerRecord);
      continue;
    }
    // A value of another format under a format-4 key (a newer version's, say) must not be
    // misread as one of ours: refuse it, as decodeMeta refuses a meta it does not know.
    if (!isWindowRecord(value)) throw new MeterlineError('internal', `aggregate.state: record ${key} is not of format ${WINDOW_FORMAT} (starts ${value.subarray(0, 2).toString('hex')})`);
    r.windowKeys.push(key);
    if (k.kind === 'counters') r.counters.push([k.serverId, value]);
    else r.windows.push({ key, serverId: k.serverId, correction: k.kind === 'correction', value });
  }
  const decodeAll = (): ServerRecord[] => {
    const byServer = new Map<string, ServerRecord>();
    const of = (id: string): ServerRecord => {
      let s = byServer.get(id);
      if (s === undefined) byServer.set(id, (s = { serverId: id, open: [], corrections: [], counters: [] }));
      return s;
    };
    const names = meta.order ?? [];
    for (const w of r.windows) {
      const g = decodeSegment(w.value, names);
      // A format-4 correction is pending until deleted: it belongs to the meta's epoch.
      if (w.correction) of(w.serverId).corrections.push({ ...g, epoch: meta.correctionsEpoch } satisfies CorrectionRecord);
      else of(w.serverId).open.push(g);
    }
    for (const [id, b] of r.counters) of(id).counters.push(...decodeCounters(b));
    const out = [...r.packed.map(decodePacked), ...byServer.values()];
    r.packed = [];
    r.windows = [];
    r.counters = [];
    return out;
  };
  return Object.assign(r, { decodeAll });
}
