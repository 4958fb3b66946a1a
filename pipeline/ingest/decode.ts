// Turns a request body into per-sample outcomes: each sample is parsed, checked against the
// accepted time window and kept with its original bytes, or rejected with a reason naming the
// problem. Pure: the caller supplies the clock and limits.
import type { Sample } from '../../pipeline/samples/sample.js';
import { parseCloudEvent, parseSample, type ParseResult } from '../../pipeline/samples/parse.js';
import { formatDuration } from '../../lib/duration.js';
import type { BodyFormat } from './content-type.js';
import { jsonErrorReason, parseJsonExact } from '../../lib/json-exact.js';
import { fastSample } from '../samples/fast-sample.js';
import { splitJson, splitNdjson, type Piece } from './split.js';

export interface IngestLimits {
  maxBatchSamples: number;
  maxSampleAgeMs: number;
  maxClockSkewMs: number;
}

export type Outcome =
  | { index: number; bytes: Buffer; ok: true; sample: Sample }
  | { index: number; bytes: Buffer; ok: false; code: RejectCode; reason: string; id?: string; serverId?: string };

/** Machine-readable class of a rejection (response body and metrics label). */
export type RejectCode = 'utf8' | 'json' | 'invalid' | 'window';

export type DecodeResult = { ok: true; outcomes: Outcome[] } | { ok: false; status: 400 | 413; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte offset of the first invalid UTF-8 sequence (TextDecoder does not say where). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlongs, surrogates and > U+10FFFF: let the strict decoder be the judge of the sequence.
    try {
      utf8.decode(buf.subarray(i, i + n + 1));
    } catch {
      return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * One sample's bytes at most: a Kafka record must stay under the broker's max.message.bytes
 * (1 MiB by default), and a sample's Avro form is no larger than its JSON.
 */
export const MAX_SAMPLE_BYTES = 256 * 1024;

type Rejected = { ok: false; code: RejectCode; reason: string };

/** The text of one piece, or why it cannot be read at all. */
function pieceText(bytes: Buffer): { ok: true; text: string } | Rejected {
  if (bytes.length === 0) return { ok: false, code: 'json', reason: 'empty element: no sample between the commas' };
  if (bytes.length > MAX_SAMPLE_BYTES) return { ok: false, code: 'invalid', reason: `the sample is ${bytes.length} bytes; at most ${MAX_SAMPLE_BYTES} per sample` };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, code: 'utf8', reason: `invalid UTF-8 at byte ${firstInvalidUtf8(bytes)} of the sample` };
  }
}

/** The JSON value of one piece's text, or why it is not JSON. */
function parsePiece(text: string): { ok: true; value: unknown } | Rejected {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch (err) {
    return { ok: false, code: 'json', reason: `malformed JSON: ${jsonErrorReason(text, err)}` };
  }
}

/** id and server of a rejected sample, when they can be read: the caller's key to find it. */
function identify(value: unknown): { id?: string; serverId?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  const out: { id?: string; serverId?: string } = {};
  if (typeof v.id === 'string') out.id = v.id;
  const server = v.specversion !== undefined ? v.subject : v.server_id;
  if (typeof server === 'string') out.serverId = server;
  return out;
}

export function checkWindow(tsMs: number, nowMs: number, limits: IngestLimits): string | undefined {
  if (tsMs < nowMs - limits.maxSampleAgeMs) {
    return `ts ${new Date(tsMs).toISOString()} is older than METERLINE_MAX_SAMPLE_AGE (${formatDuration(limits.maxSampleAgeMs)})`;
  }
  if (tsMs > nowMs + limits.maxClockSkewMs) {
    return `ts ${new Date(tsMs).toISOString()} is in the future by more than METERLINE_MAX_CLOCK_SKEW (${formatDuration(limits.maxClockSkewMs)})`;
  }
  return undefined;
}

function outcomeOf(piece: Piece, format: BodyFormat, nowMs: number, limits: IngestLimits): Outcome {
  const { index, bytes } = piece;
  const read = pieceText(bytes);
  if (!read.ok) return { index, bytes, ok: false, code: read.code, reason: read.reason };
  const cloudEvent = format === 'cloudevent' || format === 'cloudevents-batch';
  // The compact line agents send, scanned by hand: the very Sample the path below would give
  // (fast-sample.ts declines anything else, and its tests compare it with that path), at less
  // than half the CPU. The window is still checked.
  const fast = cloudEvent ? undefined : fastSample(read.text);
  if (fast !== undefined) {
    const late = checkWindow(fast.tsMs, nowMs, limits);
    if (late) return { index, bytes, ok: false, code: 'window', reason: late, id: fast.id, serverId: fast.serverId };
    return { index, bytes, ok: true, sample: fast };
  }
  const json = parsePiece(read.text);
  if (!json.ok) return { index, bytes, ok: false, code: json.code, reason: json.reason };
  const ids = identify(json.value);
  const parsed: ParseResult = cloudEvent ? parseCloudEvent(json.value) : parseSample(json.value);
  if (!parsed.ok) return { index, bytes, ok: false, code: 'invalid', reason: parsed.reason, ...ids };
  const late = checkWindow(parsed.sample.tsMs, nowMs, limits);
  if (late) return { index, bytes, ok: false, code: 'window', reason: late, ...ids };
  return { index, bytes, ok: true, sample: parsed.sample };
}

const ONE_EVENT = 'application/cloudevents+json carries one event object; send arrays as application/cloudevents-batch+json';

export function decodeBody(body: Buffer, format: BodyFormat, nowMs: number, limits: IngestLimits): DecodeResult {
  if (format === 'cloudevent') {
    const first = body[skipWs(body)];
    if (first !== undefined && first !== 0x7b /* { */) return { ok: false, status: 400, reason: ONE_EVENT };
  }
  const split =
    format === 'ndjson' ? splitNdjson(body, limits.maxBatchSamples) : splitJson(body, limits.maxBatchSamples, format !== 'cloudevents-batch');
  if (!split.ok) return split;
  return { ok: true, outcomes: split.pieces.map((p) => outcomeOf(p, format, nowMs, limits)) };
}

function skipWs(buf: Buffer): number {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return i;
}
