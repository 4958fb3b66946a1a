// One NDJSON line → what bill feeds: a sample, a rejection reason, nothing (blank line), or —
// for a line holding a JSON array (the HTTP batch form, SPEC §2) — one of those per element.
// Shared by the in-process path and the parse workers, so both accept exactly the same input;
// numbers a double cannot hold are read as their source text, as HTTP ingest reads them.
import { quoteInexactNumbers } from '../../pipeline/ingest/json-exact.js';
import { parseSample } from '../../pipeline/samples/parse.js';
import { fastSample } from './fast-sample.js';
import type { Sample } from '../../pipeline/samples/sample.js';

/** A rejection: the reason, for `file:line: reason`. */
export interface Rejection {
  reason: string;
}

export type LineItem = Sample | Rejection;
export type LineResult = LineItem | LineItem[] | undefined;

export const isRejection = (x: LineItem): x is Rejection => (x as Rejection).reason !== undefined;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Whether the text has a run of 17+ digits/dots or an exponent (`e5`, `E-9`): the only ways a
 * JSON number can hold a value a double does not. The same test as ingest's, as a char loop:
 * it runs on every line and a regex over the whole line cost more than the rest of parsing.
 */
export function mayBeInexact(t: string): boolean {
  let run = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (isDigit(c) || c === 46) {
      if (++run >= 17) return true;
      continue;
    }
    run = 0;
    if (c === 101 || c === 69) {
      const d = t.charCodeAt(i + 1);
      if (isDigit(d) || ((d === 43 || d === 45) && isDigit(t.charCodeAt(i + 2)))) return true;
    }
  }
  return false;
}

export function parseLine(text: string): LineResult {
  // The canonical line, scanned by hand (it declines any number of more than 15 digits, so it
  // never needs the exact reading below).
  const fast = fastSample(text);
  if (fast !== undefined) return fast;
  if (text.length === 0 || text.trim() === '') return undefined;
  const inexact = mayBeInexact(text);
  let value: unknown;
  try {
    // A 64-bit counter (18446744073709551615) must not become a nearby double: lines that may
    // hold such a number go through ingest's exact reading.
    value = JSON.parse(inexact ? quoteInexactNumbers(text) : text);
  } catch (err) {
    return { reason: `not JSON: ${(err as Error).message}` };
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
