// For a crash test whose stored rollups differ from the reference model: which servers differ,
// and where their input records lie relative to the offset each partition's restore resumed
// at. A restore that lost or doubled records shows as differing servers with a record just
// before (lost) or past (doubled) the resume point; a difference with no record near it points
// elsewhere (state of one server moved by records of another, a window emitted twice).
import type { Kafka } from 'kafkajs';
import { readToEnd } from '../../kafka/read-to-end.js';
import { diffRollups } from '../e2e/harness.js';
import type { Expected, RefMeter } from '../e2e/workload.js';

/** Records this close to a resume point are marked with their distance from it. */
const NEAR = 10;
/** Servers listed in full (the count of all of them is given). */
const LISTED = 20;

export interface WhereOptions {
  kafka: Kafka;
  /** The input topic (records keyed by server id, as ingest sends them). */
  topic: string;
  expected: Map<string, Expected>;
  stored: Map<string, Expected>;
  meters: readonly RefMeter[];
  /** Partition → the offset its restore resumed at (the `partition restored` line's nextOffset). */
  resumedAt: ReadonlyMap<number, bigint>;
}

/** A few lines naming the differing rows per meter and, per differing server, its records. */
export async function whereRollupsDiffer(o: WhereOptions): Promise<string> {
  const rows = diffRollups(o.expected, o.stored, Number.MAX_SAFE_INTEGER, o.meters);
  if (rows.length === 0) return 'no rows differ';
  const servers = new Map<string, Set<string>>();
  for (const row of rows) {
    const [server, meter] = row.split('|') as [string, string];
    servers.set(server, (servers.get(server) ?? new Set()).add(meter));
  }
  const records = new Map<string, { partition: number; offset: bigint }[]>();
  const admin = o.kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(o.topic).finally(() => admin.disconnect());
  await readToEnd({
    kafka: o.kafka,
    topic: o.topic,
    ranges: ends.filter((e) => BigInt(e.high) > 0n).map((e) => ({ partition: e.partition, from: 0n, upTo: BigInt(e.high) - 1n })),
    groupPrefix: 'crash-test-diagnosis',
    onRecords: (partition, messages) => {
      for (const m of messages) {
        const server = m.key?.toString() ?? '';
        if (!servers.has(server)) continue;
        const list = records.get(server) ?? [];
        list.push({ partition, offset: BigInt(m.offset) });
        records.set(server, list);
      }
    },
  });
  const lines = [...servers].slice(0, LISTED).map(([server, meters]) => {
    const list = records.get(server) ?? [];
    const at = list.map(({ partition, offset }) => {
      const resume = o.resumedAt.get(partition);
      const d = resume === undefined ? undefined : offset - resume;
      return `p${partition}:${offset}${d !== undefined && d >= -NEAR && d <= NEAR ? ` (resume${d >= 0n ? '+' : ''}${d})` : ''}`;
    });
    return `  ${server} [${[...meters].join(', ')}]: ${at.join(', ') || 'no input record'}`;
  });
  const more = servers.size > LISTED ? [`  … ${servers.size - LISTED} more servers`] : [];
  const resumed = [...o.resumedAt].sort(([a], [b]) => a - b).map(([p, at]) => `p${p}@${at}`).join(', ');
  return [`${rows.length} rows over ${servers.size} servers differ; restores resumed at ${resumed}; each server's input records:`, ...lines, ...more].join('\n');
}
