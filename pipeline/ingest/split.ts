// Splits a request body into the byte ranges of its samples *before* parsing them, so each
// sample keeps its original bytes (for the DLQ) and a broken sample costs only itself: in
// `[{good}, {"id": NaN}, {good}]` the two good ones are still accepted. Works on bytes: the
// JSON structural characters are ASCII and never occur inside a UTF-8 multi-byte sequence, so
// invalid UTF-8 inside one element is found (and reported) per element.

export interface Piece {
  /** Position of the sample in the request (0-based; NDJSON: blank lines not counted). */
  index: number;
  bytes: Buffer;
}

export type SplitResult = { ok: true; pieces: Piece[] } | { ok: false; status: 400 | 413; reason: string };

const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function trim(buf: Buffer, start: number, end: number): Buffer {
  while (start < end && isWs(buf[start] as number)) start++;
  while (end > start && isWs(buf[end - 1] as number)) end--;
  return buf.subarray(start, end);
}

const tooMany = (max: number): SplitResult => ({ ok: false, status: 413, reason: `more than ${max} samples in one request (METERLINE_MAX_BATCH_SAMPLES)` });

/** A UTF-8 byte order mark is tolerated at the start of a body (some agents on Windows send one). */
const skipBom = (buf: Buffer): number => (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0);

/**
 * A JSON array of samples, or one sample object (when `allowSingle`). Structural damage (an
 * unterminated string or array, data after the array) fails the whole body: where one element
 * ends is then unknowable.
 */
export function splitJson(buf: Buffer, maxItems: number, allowSingle: boolean): SplitResult {
  let i = skipBom(buf);
  while (i < buf.length && isWs(buf[i] as number)) i++;
  if (i === buf.length) return { ok: false, status: 400, reason: 'the body is empty' };
  if (buf[i] === 0x7b /* { */ && allowSingle) return { ok: true, pieces: [{ index: 0, bytes: trim(buf, i, buf.length) }] };
  if (buf[i] !== 0x5b /* [ */) {
    return { ok: false, status: 400, reason: allowSingle ? 'the body must be a JSON array of samples or one sample object' : 'the body must be a JSON array' };
  }
  const pieces: Piece[] = [];
  let depth = 0;
  let inString = false;
  let start = ++i;
  let closed = -1;
  for (; i < buf.length; i++) {
    const b = buf[i] as number;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || (b === 0x5d && depth > 0)) depth--;
    else if (b === 0x2c /* , */ && depth === 0) {
      if (pieces.length >= maxItems) return tooMany(maxItems);
      pieces.push({ index: pieces.length, bytes: trim(buf, start, i) });
      start = i + 1;
    } else if (b === 0x5d /* ] */ && depth === 0) {
      closed = i;
      break;
    }
    if (depth < 0) return { ok: false, status: 400, reason: `malformed JSON: unbalanced bracket at byte ${i}` };
  }
  if (closed < 0) {
    return { ok: false, status: 400, reason: `malformed JSON: the body ends inside ${inString ? 'a string' : 'the array'} (byte ${buf.length})` };
  }
  const last = trim(buf, start, closed);
  if (last.length > 0 || pieces.length > 0) {
    if (pieces.length >= maxItems) return tooMany(maxItems);
    pieces.push({ index: pieces.length, bytes: last });
  }
  for (let j = closed + 1; j < buf.length; j++) {
    if (!isWs(buf[j] as number)) return { ok: false, status: 400, reason: `malformed JSON: data after the closing bracket at byte ${j}` };
  }
  if (pieces.length === 0) return { ok: false, status: 400, reason: 'the array holds no samples' };
  return { ok: true, pieces };
}

/** NDJSON: one sample per line; blank lines are skipped. */
export function splitNdjson(buf: Buffer, maxItems: number): SplitResult {
  const pieces: Piece[] = [];
  let start = skipBom(buf);
  while (start <= buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    const line = trim(buf, start, end);
    if (line.length > 0) {
      if (pieces.length >= maxItems) return tooMany(maxItems);
      pieces.push({ index: pieces.length, bytes: line });
    }
    start = end + 1;
  }
  if (pieces.length === 0) return { ok: false, status: 400, reason: 'the body holds no samples' };
  return { ok: true, pieces };
}
