// Rollup parts as rows of PostgreSQL's COPY text format (pure; no I/O). Decimal strings go in
// as they are (numeric parses them exactly), instants as ISO 8601 UTC, arrays as text[]
// literals. Escaping follows the COPY text format: backslash, tab, newline and CR are escaped,
// NULL is \N.
import type { RollupPart } from '../pipeline/aggregation/rollup.js';

/** Where the sink read a part: the usage.rollups record (lineage for explain). */
export interface RollupOrigin {
  topic: string;
  partition: number;
  offset: string;
}

export interface StoredPart {
  part: RollupPart;
  origin?: RollupOrigin;
}

/** Column order of every COPY row; the staging table and rollup_parts share these names. */
export const ROLLUP_COLUMNS = [
  'part_id',
  'server_id',
  'meter',
  'window_start',
  'window_end',
  'correction',
  'sample_count',
  'sum',
  'max',
  'min',
  'latest',
  'latest_ts',
  'distinct_values',
  'source_topic',
  'source_partition',
  'first_offset',
  'last_offset',
  'rollup_topic',
  'rollup_partition',
  'rollup_offset',
] as const;

const NULL = '\\N';

/** Escape one field for the COPY text format. */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** A text[] literal: every element double-quoted, `"` and `\` backslash-escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** One part as a COPY text row (ending in a newline), columns in ROLLUP_COLUMNS order. */
export function copyRow({ part, origin }: StoredPart): string {
  const s = part.state;
  const fields: (string | undefined)[] = [
    part.partId,
    part.serverId,
    part.meter,
    iso(part.windowStartMs),
    iso(part.windowEndMs),
    part.correction ? 't' : 'f',
    String(s.count),
    s.sum,
    s.max,
    s.min,
    s.latest,
    s.latestTsMs === undefined ? undefined : iso(s.latestTsMs),
    s.distinct === undefined ? undefined : textArrayLiteral(s.distinct),
    part.source?.topic,
    part.source === undefined ? undefined : String(part.source.partition),
    part.source?.firstOffset,
    part.source?.lastOffset,
    origin?.topic,
    origin === undefined ? undefined : String(origin.partition),
    origin?.offset,
  ];
  return `${fields.map((f) => copyField(f)).join('\t')}\n`;
}
