// One NDJSON line → what bill feeds: a sample, a rejection reason, nothing (blank line), or —
// for a line holding a JSON array (the HTTP batch form, SPEC §2) — one of those per element.
// Shared by the in-process path and the parse workers, so both accept exactly the same input;
// every number is read as its source text (lib/json-exact.ts), as HTTP ingest reads them.
import { jsonErrorReason, parseJsonExact } from '../../lib/json-exact.js';
import { parseSample } from '../../pipeline/samples/parse.js';
import { fastSample } from '../../pipeline/samples/fast-sample.js';
import type { Sample } from '../../pipeline/samples/sample.js';

/** A rejection: the reason, for `file:line: reason`. */
export interface Rejection {
  reason: string;
}

export type LineItem = Sample | Rejection;
export type LineResult = LineItem | LineItem[] | undefined;

export const isRejection = (x: LineItem): x is Rejection => (x as Rejection).reason !== undefined;

export function parseLine(text: string): LineResult {
  // The canonical line, scanned by hand (numbers taken from their text, as below).
  const fast = fastSample(text);
  if (fast !== undefined) return fast;
  if (text.length === 0 || text.trim() === '') return undefined;
  let value: unknown;
  try {
    // Never JSON.parse: a 64-bit counter (9007199254740993) must not become a nearby double.
    value = parseJsonExact(text);
  } catch (err) {
    return { reason: `not JSON: ${jsonErrorReason(text, err)}` };
  }
  if (Array.isArray(value)) {
    return value.map((v, k): LineItem => {
      const r = parseSample(v);
      return r.ok ? r.sample : { reason: `[${k}]: ${r.reason}` };
    });
  }
  const r = parseSample(value);
  return r.ok ? r.sample : { reason: r.reason };
}
