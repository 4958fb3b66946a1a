// Fast path of parseLine for the line every agent and `gen-bill-samples` writes: one compact
// SPEC §2 object — no whitespace, no escapes, string ids, an RFC 3339 ts, numeric metrics,
// string labels — scanned by hand into a Sample without building the JSON value first
// (JSON.parse + parseSample were most of bill's parse cost). It answers only where it is sure
// to give exactly the Sample the full path would give; anything else (whitespace, an escape, a
// CloudEvent, an unknown or repeated field, a string metric other than a plain decimal, an exponent, a value the full path might reject)
// returns undefined, and the full path — the one that names what is wrong — decides.
import { MAX_ID_LENGTH, MAX_SERVER_ID_LENGTH, type Sample } from './sample.js';
import { parseTimestamp } from './timestamp.js';
import { canonicalNumber } from '../../lib/number-text.js';

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN = 123;
const CLOSE = 125;

/** Index of the closing quote of the string opening at `i` (text[i] === '"'), or -1. */
function stringEnd(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) return j;
    if (c === 92 || c < 32) return -1; // an escape or a control character: the full path
  }
  return -1;
}

/** End (exclusive) of the JSON number starting at `i`: -?(0|[1-9]\d*)(\.\d+)? — no exponent. */
function numberEnd(t: string, i: number): number {
  let j = i;
  if (t.charCodeAt(j) === 45) j++;
  const first = t.charCodeAt(j);
  if (first === 48) j++;
  else if (first >= 49 && first <= 57) {
    j++;
    while (isDigit(t.charCodeAt(j))) j++;
  } else return -1;
  if (t.charCodeAt(j) === 46) {
    j++;
    if (!isDigit(t.charCodeAt(j))) return -1;
    while (isDigit(t.charCodeAt(j))) j++;
  }
  return j;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Closing quote of a metric string opening at `i` that holds -?\d+(\.\d+)? and nothing else, or -1.
 * parseSample keeps such a string as it is (isDecimalString, no exponent to range-check, nothing
 * to trim); signs, exponents, spaces and bare dots are left to it.
 */
function decimalStringEnd(t: string, i: number): number {
  let j = i + 1;
  if (t.charCodeAt(j) === 45) j++;
  if (!isDigit(t.charCodeAt(j))) return -1;
  while (isDigit(t.charCodeAt(j))) j++;
  if (t.charCodeAt(j) === 46) {
    j++;
    if (!isDigit(t.charCodeAt(j))) return -1;
    while (isDigit(t.charCodeAt(j))) j++;
  }
  return t.charCodeAt(j) === QUOTE ? j : -1;
}

/**
 * A JSON number's text as metricValue gives it: canonicalNumber of the token (exact, from the
 * text alone — a 64-bit counter keeps every digit). Most tokens already are canonical.
 */
const numberText = (t: string, from: number, to: number): string => canonicalNumber(t.slice(from, to));

/** A key we know, where its value starts: `"name":` at i. */
function keyAt(t: string, i: number, name: string): boolean {
  return t.startsWith(name, i + 1) && t.charCodeAt(i + 1 + name.length) === QUOTE && t.charCodeAt(i + 2 + name.length) === COLON;
}

/** Which known field's `"name":` is at i (picked by its first letter, then checked whole). */
function fieldAt(t: string, i: number): string | undefined {
  switch (t.charCodeAt(i + 1)) {
    case 105: // i
      return keyAt(t, i, 'id') ? 'id' : keyAt(t, i, 'interval_s') ? 'interval_s' : undefined;
    case 115: // s
      return keyAt(t, i, 'server_id') ? 'server_id' : undefined;
    case 116: // t
      return keyAt(t, i, 'ts') ? 'ts' : undefined;
    case 109: // m
      return keyAt(t, i, 'metrics') ? 'metrics' : undefined;
    case 108: // l
      return keyAt(t, i, 'labels') ? 'labels' : undefined;
    default:
      return undefined;
  }
}

/** A name usable as a plain own property in insertion order (no array index, no __proto__). */
const plainName = (s: string): boolean => !(s.length > 0 && isDigit(s.charCodeAt(0))) && s !== '__proto__';

/**
 * `{"name":<number|string>,…}` at i: fills `out` (which must start empty) and returns the index
 * after the closing brace, or -1. `numbers` selects the value type.
 */
function flatObject(t: string, i: number, out: Record<string, string>, numbers: boolean, names: string[]): number {
  entries = 0;
  if (t.charCodeAt(i) !== OPEN) return -1;
  let j = i + 1;
  if (t.charCodeAt(j) === CLOSE) return j + 1;
  for (let k = 0; ; k++) {
    entries = k + 1;
    if (t.charCodeAt(j) !== QUOTE) return -1;
    // Lines repeat their names in the same order: reuse the previous line's k-th name (already
    // checked, and an internalized property key) when the text has it here.
    let name = names[k];
    let ke: number;
    if (name !== undefined && t.startsWith(name, j + 1) && t.charCodeAt(j + 1 + name.length) === QUOTE) ke = j + 1 + name.length;
    else {
      ke = stringEnd(t, j);
      if (ke < 0) return -1;
      name = t.slice(j + 1, ke);
      // (over 64 entries, well under MAX_METRICS, is left to the full path)
      if (!plainName(name) || k >= 64 || (numbers && (name.length === 0 || name.length > 200))) return -1;
      names[k] = name;
    }
    if (t.charCodeAt(ke + 1) !== COLON) return -1;
    // names[0..k-1] are this object's earlier names: a repeat goes to the full path
    for (let q = 0; q < k; q++) if (names[q] === name) return -1;
    j = ke + 2;
    if (numbers && t.charCodeAt(j) === QUOTE) {
      // An exact decimal sent as a string ("100.0", what a number would lose): kept as written.
      const ve = decimalStringEnd(t, j);
      if (ve < 0) return -1;
      out[name] = t.slice(j + 1, ve);
      j = ve + 1;
    } else if (numbers) {
      const ne = numberEnd(t, j);
      if (ne < 0) return -1;
      out[name] = numberText(t, j, ne);
      j = ne;
    } else {
      if (t.charCodeAt(j) !== QUOTE) return -1;
      const ve = stringEnd(t, j);
      if (ve < 0) return -1;
      out[name] = t.slice(j + 1, ve);
      j = ve + 1;
    }
    const c = t.charCodeAt(j);
    if (c === CLOSE) return j + 1;
    if (c !== COMMA) return -1;
    j++;
  }
}

/** Entries of the object flatObject last read. */
let entries = 0;
const metricNames: string[] = [];
const labelNames: string[] = [];

/** The Sample of a canonical line, or undefined: use the full path. */
export function fastSample(t: string): Sample | undefined {
  if (t.charCodeAt(0) !== OPEN) return undefined;
  let id: string | undefined;
  let serverId: string | undefined;
  let ts: string | undefined;
  let intervalS: string | undefined;
  let metrics: Record<string, string> | undefined;
  let labels: Record<string, string> | undefined;
  let i = 1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return undefined;
    const key = fieldAt(t, i);
    const field = key === 'id' || key === 'server_id' || key === 'ts' ? key : undefined;
    if (field !== undefined) {
      const v = i + field.length + 3; // past `"field":`
      if (t.charCodeAt(v) !== QUOTE) return undefined;
      const e = stringEnd(t, v);
      if (e < 0) return undefined;
      const s = t.slice(v + 1, e);
      if (field === 'id') {
        if (id !== undefined) return undefined;
        id = s;
      } else if (field === 'server_id') {
        if (serverId !== undefined) return undefined;
        serverId = s;
      } else {
        if (ts !== undefined) return undefined;
        ts = s;
      }
      i = e + 1;
    } else if (key === 'interval_s') {
      if (intervalS !== undefined) return undefined;
      const v = i + 13;
      const e = numberEnd(t, v);
      if (e < 0) return undefined;
      intervalS = numberText(t, v, e);
      if (intervalS.startsWith('-') || intervalS === '0') return undefined; // not positive: the full path names it
      i = e;
    } else if (key === 'metrics') {
      if (metrics !== undefined) return undefined;
      metrics = {};
      i = flatObject(t, i + 10, metrics, true, metricNames);
      if (i < 0 || entries === 0) return undefined;
    } else if (key === 'labels') {
      if (labels !== undefined) return undefined;
      labels = {};
      i = flatObject(t, i + 9, labels, false, labelNames);
      if (i < 0) return undefined;
    } else return undefined;
    const c = t.charCodeAt(i);
    if (c === CLOSE) {
      if (i !== t.length - 1) return undefined;
      break;
    }
    if (c !== COMMA) return undefined;
    i++;
  }
  if (id === undefined || id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
  if (serverId === undefined || serverId.length === 0 || serverId.length > MAX_SERVER_ID_LENGTH) return undefined;
  if (ts === undefined || metrics === undefined) return undefined;
  const time = parseTimestamp(ts);
  if (!time.ok) return undefined;
  const sample: Sample = { id, serverId, tsMs: time.ms, metrics, labels: labels ?? {} };
  if (intervalS !== undefined) sample.intervalS = intervalS;
  return sample;
}
