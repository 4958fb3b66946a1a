// Numbers and threshold ranges of Nagios performance data. Plugins write decimals with a dot
// or (in some locales) a comma, sometimes with an exponent; ranges follow the plugin
// guidelines: `10` (0..10), `10:` (10..∞), `~:10` (−∞..10), `10:20`, and `@10:20` (alert
// *inside* the range).
import { Decimal, dec } from '../lib/decimal.js';

/** A number as written: optional sign, dot or comma decimal, optional exponent. */
const NUMBER = /^([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)/;

export interface NumberToken {
  value: Decimal;
  /** What followed the number (a unit of measure, or junk the caller judges). */
  rest: string;
}

/**
 * The largest exponent taken, as for agent samples (pipeline/samples/parse.ts: the exact core
 * refuses more). Values are written out as plain decimals, so an exponent of 10^13 would be a
 * string of 10^13 digits: the process ran out of memory on one such damaged line (fuzz test).
 */
export const MAX_EXPONENT = 10_000;

/** True when `text` starts with a number whose exponent is beyond ±MAX_EXPONENT. */
export function exponentTooLarge(text: string): boolean {
  const m = NUMBER.exec(text);
  const e = m ? /[eE]([+-]?\d+)$/.exec(m[1] as string) : null;
  return e !== null && Math.abs(Number(e[1])) > MAX_EXPONENT;
}

/**
 * Reads a leading number; a comma decimal separator becomes a dot ("1,5" → 1.5). A number
 * whose exponent is beyond ±MAX_EXPONENT is not read (undefined).
 */
export function readNumber(text: string): NumberToken | undefined {
  const m = NUMBER.exec(text);
  if (!m || exponentTooLarge(text)) return undefined;
  const written = m[1] as string;
  return { value: dec(written.replace(',', '.')), rest: text.slice(written.length) };
}

/** A threshold range; `null` bounds are infinite. Values already scaled to base units. */
export interface Range {
  /** `@`: the alert is raised inside [start, end] instead of outside. */
  inside: boolean;
  start: string | null;
  end: string | null;
}

export type RangeResult = { ok: true; range: Range } | { ok: false; reason: string };

/**
 * Parses one range. A number may carry the value's own unit (`80%`, `5GB`: some plugins
 * repeat it); `convert` scales a bound to base units.
 */
export function parseRange(text: string, convert: (n: NumberToken) => string | undefined): RangeResult {
  let s = text;
  const inside = s.startsWith('@');
  if (inside) s = s.slice(1);
  const bad = (): RangeResult => ({ ok: false, reason: `malformed range ${JSON.stringify(text)}` });
  const bound = (part: string): string | undefined => {
    const n = readNumber(part);
    return n === undefined ? undefined : convert(n);
  };
  const colon = s.indexOf(':');
  if (colon < 0) {
    const end = bound(s);
    return end === undefined ? bad() : { ok: true, range: { inside, start: '0', end } };
  }
  const left = s.slice(0, colon);
  const right = s.slice(colon + 1);
  let start: string | null;
  if (left === '~') start = null;
  else if (left === '') start = '0';
  else {
    const b = bound(left);
    if (b === undefined) return bad();
    start = b;
  }
  let end: string | null;
  if (right === '') end = null;
  else {
    const b = bound(right);
    if (b === undefined) return bad();
    end = b;
  }
  return { ok: true, range: { inside, start, end } };
}
