// Conversions between the pipeline's types and their Avro record shapes (avro/*.avsc).
// Decoding a sample re-validates it with the same rules as HTTP ingest, because agents may
// publish straight to Kafka: a record that is valid Avro but not a valid sample (a metric value
// "abc", an empty id) is rejected by name, never half-read.
import type { RollupPart } from '../pipeline/aggregation/rollup.js';
import type { Sample } from '../pipeline/samples/sample.js';
import { parseSample, type ParseResult } from '../pipeline/samples/parse.js';
import { CheckedSampleRecord } from './sample-reader.js';

export interface SampleRecord {
  id: string;
  server_id: string;
  ts: number;
  interval_s: string | null;
  metrics: Record<string, string>;
  labels: Record<string, string>;
}

export const sampleToRecord = (s: Sample): SampleRecord => ({
  id: s.id,
  server_id: s.serverId,
  ts: s.tsMs,
  interval_s: s.intervalS ?? null,
  metrics: s.metrics,
  labels: s.labels,
});

/** timestamp-millis may come back as a Date when a library registered the logical type. */
const millis = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

/** A decoded record → Sample, validated exactly like an HTTP sample. */
export function recordToSample(rec: unknown): ParseResult {
  // Read by hand and checked as parseSample checks (sample-reader.ts): nothing to redo.
  if (rec instanceof CheckedSampleRecord) return { ok: true, sample: rec.toSample() };
  const r = rec as Partial<SampleRecord>;
  return parseSample({
    id: r.id,
    server_id: r.server_id,
    ts: millis(r.ts),
    interval_s: r.interval_s ?? undefined,
    metrics: r.metrics,
    labels: r.labels,
  });
}

export interface RollupRecord {
  part_id: string;
  server_id: string;
  meter: string;
  window_start: number;
  window_end: number;
  correction: boolean;
  state: {
    count: number;
    sum: string;
    max: string | null;
    min: string | null;
    latest: string | null;
    latest_ts: number | null;
    distinct: string[] | null;
  };
  source: { topic: string; partition: number; first_offset: string; last_offset: string } | null;
}

export const rollupToRecord = (p: RollupPart): RollupRecord => ({
  part_id: p.partId,
  server_id: p.serverId,
  meter: p.meter,
  window_start: p.windowStartMs,
  window_end: p.windowEndMs,
  correction: p.correction,
  state: {
    count: p.state.count,
    sum: p.state.sum,
    max: p.state.max ?? null,
    min: p.state.min ?? null,
    latest: p.state.latest ?? null,
    latest_ts: p.state.latestTsMs ?? null,
    distinct: p.state.distinct ?? null,
  },
  source: p.source
    ? { topic: p.source.topic, partition: p.source.partition, first_offset: p.source.firstOffset, last_offset: p.source.lastOffset }
    : null,
});

export function recordToRollup(rec: unknown): RollupPart {
  const r = rec as RollupRecord;
  const s = r.state;
  const part: RollupPart = {
    partId: r.part_id,
    serverId: r.server_id,
    meter: r.meter,
    windowStartMs: millis(r.window_start) as number,
    windowEndMs: millis(r.window_end) as number,
    correction: r.correction,
    state: { count: s.count, sum: s.sum },
  };
  if (s.max !== null) part.state.max = s.max;
  if (s.min !== null) part.state.min = s.min;
  if (s.latest !== null) part.state.latest = s.latest;
  if (s.latest_ts !== null) part.state.latestTsMs = millis(s.latest_ts) as number;
  if (s.distinct !== null) part.state.distinct = s.distinct;
  if (r.source) {
    part.source = { topic: r.source.topic, partition: r.source.partition, firstOffset: r.source.first_offset, lastOffset: r.source.last_offset };
  }
  return part;
}

/** A rejected input on metrics.dlq. */
export interface DeadLetter {
  original: Buffer;
  /** Full size when `original` was cut to MAX_DLQ_ORIGINAL_BYTES. */
  originalLength?: number;
  reason: string;
  source: 'http' | 'kafka' | 'nagios' | string;
  receivedAtMs: number;
  contentType?: string;
  index?: number;
  sampleId?: string;
  serverId?: string;
  apiKeyId?: string;
  origin?: { topic: string; partition: number; offset: string };
}

/** DLQ records stay well below Kafka's default max.message.bytes (1 MiB). */
export const MAX_DLQ_ORIGINAL_BYTES = 256 * 1024;

/** A dead letter for bytes of any size: cut to MAX_DLQ_ORIGINAL_BYTES, recording the full length. */
export function deadLetter(original: Buffer, fields: Omit<DeadLetter, 'original' | 'originalLength'>): DeadLetter {
  if (original.length <= MAX_DLQ_ORIGINAL_BYTES) return { original, ...fields };
  return { original: original.subarray(0, MAX_DLQ_ORIGINAL_BYTES), originalLength: original.length, ...fields };
}

export const deadLetterToRecord = (d: DeadLetter) => ({
  original: d.original,
  original_length: d.originalLength ?? null,
  reason: d.reason,
  source: d.source,
  received_at: d.receivedAtMs,
  content_type: d.contentType ?? null,
  index: d.index ?? null,
  sample_id: d.sampleId ?? null,
  server_id: d.serverId ?? null,
  api_key_id: d.apiKeyId ?? null,
  origin: d.origin ?? null,
});

export function recordToDeadLetter(rec: unknown): DeadLetter {
  const r = rec as ReturnType<typeof deadLetterToRecord>;
  const d: DeadLetter = { original: r.original, reason: r.reason, source: r.source, receivedAtMs: millis(r.received_at) as number };
  if (r.original_length !== null) d.originalLength = r.original_length;
  if (r.content_type !== null) d.contentType = r.content_type;
  if (r.index !== null) d.index = r.index;
  if (r.sample_id !== null) d.sampleId = r.sample_id;
  if (r.server_id !== null) d.serverId = r.server_id;
  if (r.api_key_id !== null) d.apiKeyId = r.api_key_id;
  if (r.origin !== null) d.origin = r.origin;
  return d;
}
