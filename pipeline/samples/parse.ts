// Turns one decoded JSON value (SPEC §2 sample, or a CloudEvents 1.0 event) into a Sample,
// or a reason naming the field that is wrong. Shared by HTTP ingest, `meterline bill` and the
// Nagios converter, so every entry point accepts and rejects exactly the same samples.
import { isDecimalString } from '../../lib/decimal.js';
import { showJson } from '../../lib/json-exact.js';
import { canonicalNumber, NumberText } from '../../lib/number-text.js';
import { MAX_ID_LENGTH, MAX_METRICS, MAX_SERVER_ID_LENGTH, type Sample } from './sample.js';
import { parseTimestamp, type TimestampResult } from './timestamp.js';

export type ParseResult = { ok: true; sample: Sample } | { ok: false; reason: string };

/** A JSON object (a number read as NumberText is an object to JavaScript, not to JSON). */
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText);

/**
 * A metric value as an exact decimal string: a JSON number as written (NumberText, from
 * lib/json-exact.ts — never a double), a decimal string, or (in-process callers) a finite number.
 */
export function metricValue(v: unknown): string | undefined {
  if (v instanceof NumberText) {
    const s = canonicalNumber(v.text);
    return withinExponentRange(s) ? s : undefined;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'string' && isDecimalString(v) && withinExponentRange(v)) return v.trim();
  return undefined;
}

/**
 * The aggregator's exact core refuses exponents beyond ±10000 (pipeline/aggregation/fixed.ts):
 * such a value must be rejected here, where the caller hears why, not accepted and then
 * dead-lettered by the aggregate after its id was claimed.
 */
function withinExponentRange(v: string): boolean {
  const e = /[eE]([+-]?\d+)\s*$/.exec(v);
  return e === null || Math.abs(Number(e[1])) <= 10_000;
}

/** A decimal string above zero, judged by its digits (no double: "1e-400" is positive). */
const isPositive = (s: string): boolean => !s.startsWith('-') && /[1-9]/.test(s.replace(/[eE].*$/, ''));

/**
 * ts: a JSON number is epoch milliseconds, judged by its text (canonical: no trailing fraction
 * zeros), so 1790812800000.0000000001 is refused as a fraction instead of rounded to a whole.
 */
function timestampOf(v: unknown): TimestampResult {
  if (!(v instanceof NumberText)) return parseTimestamp(v);
  const s = canonicalNumber(v.text);
  if (/^-?\d{1,16}$/.test(s)) return parseTimestamp(Number(s));
  if (s.includes('.') || s.includes('e-')) return { ok: false, reason: 'ts in epoch milliseconds must be a whole number' };
  return { ok: false, reason: 'ts out of range' };
}

function parseIntervalS(v: unknown): { ok: true; value?: string } | { ok: false; reason: string } {
  if (v === undefined || v === null) return { ok: true };
  const s = metricValue(v);
  if (s === undefined || !isPositive(s)) return { ok: false, reason: 'interval_s must be a positive number of seconds' };
  return { ok: true, value: s };
}

function parseMetrics(v: unknown): { ok: true; value: Record<string, string> } | { ok: false; reason: string } {
  if (!isObject(v)) return { ok: false, reason: 'metrics must be an object of metric name to number' };
  const out: Record<string, string> = {};
  const names = Object.keys(v);
  if (names.length === 0) return { ok: false, reason: 'metrics is empty' };
  if (names.length > MAX_METRICS) return { ok: false, reason: `metrics has more than ${MAX_METRICS} entries` };
  for (const name of names) {
    if (name.length === 0 || name.length > 200) return { ok: false, reason: `metric name ${JSON.stringify(name)} is empty or too long` };
    const value = metricValue(v[name]);
    if (value === undefined) {
      return { ok: false, reason: `metrics.${name} must be a finite number (got ${showJson(v[name])})` };
    }
    out[name] = value;
  }
  return { ok: true, value: out };
}

function parseLabels(v: unknown): { ok: true; value: Record<string, string> } | { ok: false; reason: string } {
  if (v === undefined || v === null) return { ok: true, value: {} };
  if (!isObject(v)) return { ok: false, reason: 'labels must be an object of strings' };
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return { ok: false, reason: `labels.${k} must be a string` };
    out[k] = val;
  }
  return { ok: true, value: out };
}

function nonEmptyString(v: unknown, field: string, max: number): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof v !== 'string' || v.length === 0) return { ok: false, reason: `${field} is missing or not a non-empty string` };
  if (v.length > max) return { ok: false, reason: `${field} is longer than ${max} characters` };
  return { ok: true, value: v };
}

interface Fields {
  id: unknown;
  serverId: unknown;
  serverField: string;
  ts: unknown;
  tsField: string;
  intervalS: unknown;
  metrics: unknown;
  labels: unknown;
}

function build(f: Fields): ParseResult {
  const id = nonEmptyString(f.id, 'id', MAX_ID_LENGTH);
  if (!id.ok) return id;
  const server = nonEmptyString(f.serverId, f.serverField, MAX_SERVER_ID_LENGTH);
  if (!server.ok) return server;
  if (f.ts === undefined) return { ok: false, reason: `${f.tsField} is missing` };
  const ts = timestampOf(f.ts);
  if (!ts.ok) return { ok: false, reason: f.tsField === 'ts' ? ts.reason : ts.reason.replace(/^ts/, f.tsField) };
  const interval = parseIntervalS(f.intervalS);
  if (!interval.ok) return interval;
  const metrics = parseMetrics(f.metrics);
  if (!metrics.ok) return metrics;
  const labels = parseLabels(f.labels);
  if (!labels.ok) return labels;
  const sample: Sample = { id: id.value, serverId: server.value, tsMs: ts.ms, metrics: metrics.value, labels: labels.value };
  if (interval.value !== undefined) sample.intervalS = interval.value;
  return { ok: true, sample };
}

/** A plain SPEC §2 sample object. */
export function parseSample(v: unknown): ParseResult {
  if (!isObject(v)) return { ok: false, reason: 'a sample must be a JSON object' };
  if (v.specversion !== undefined) return parseCloudEvent(v);
  return build({
    id: v.id, serverId: v.server_id, serverField: 'server_id', ts: v.ts, tsField: 'ts',
    intervalS: v.interval_s, metrics: v.metrics, labels: v.labels,
  });
}

/** A CloudEvents 1.0 structured event: subject = server_id, time = ts, data = {metrics, interval_s, labels}. */
export function parseCloudEvent(v: unknown): ParseResult {
  if (!isObject(v)) return { ok: false, reason: 'a CloudEvent must be a JSON object' };
  if (v.specversion !== '1.0') return { ok: false, reason: `specversion must be "1.0" (got ${JSON.stringify(v.specversion)})` };
  if (v.data === undefined && v.data_base64 !== undefined) return { ok: false, reason: 'data_base64 is not supported; send data as JSON' };
  const data = v.data;
  if (!isObject(data)) return { ok: false, reason: 'data must be an object with metrics' };
  return build({
    id: v.id, serverId: v.subject, serverField: 'subject', ts: v.time, tsField: 'time',
    intervalS: data.interval_s, metrics: data.metrics, labels: data.labels,
  });
}

/** A JSON number when its text is exactly the value's, else the decimal string (read back exactly either way). */
function jsonNumber(v: string): number | string {
  const n = Number(v);
  return String(n) === v ? n : v;
}

/** The SPEC §2 JSON form of a sample (NDJSON output of `nagios convert`, loadgen files). */
export function sampleToJson(s: Sample): Record<string, unknown> {
  const metrics: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(s.metrics)) metrics[k] = jsonNumber(v);
  const out: Record<string, unknown> = { id: s.id, server_id: s.serverId, ts: new Date(s.tsMs).toISOString() };
  if (s.intervalS !== undefined) out.interval_s = jsonNumber(s.intervalS);
  out.metrics = metrics;
  if (Object.keys(s.labels).length > 0) out.labels = s.labels;
  return out;
}
