// Field readers for catalogue validation. Each reader records a problem under the field's
// path and returns undefined instead of throwing, so one pass reports *every* problem.
import { DateTime } from 'luxon';
import { Decimal } from '../lib/decimal.js';
import type { Problem } from '../lib/errors.js';
import { parseTimestamp } from '../pipeline/samples/timestamp.js';
import { NumberText, type RawValue } from './raw.js';

export type RawMap = { [key: string]: RawValue };

/** Plain decimal notation: what money and prices must look like ("149.00", "0.004", "10"). */
const PLAIN_DECIMAL = /^[+-]?\d+(\.\d+)?$/;
/** Any decimal literal, exponent allowed ("1e-9"): meter factors and per_seconds. */
const DECIMAL_LITERAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * True when a number written unquoted keeps its value through any reader of the file: at most
 * 15 significant digits, which every IEEE double holds faithfully (jq, a spreadsheet, another
 * YAML library print back the same text). meterline itself never reads it through a double —
 * the parser keeps the number's source text — so `unit_price: 0.004` is exactly 0.004; what is
 * refused is a number like 0.30000000000000004 or 12345678901234567890, whose text other tools
 * would already have changed.
 */
export function isFaithfulNumber(text: string): boolean {
  const digits = text.replace(/[eE].*$/, '').replace(/[^0-9]/g, '').replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  return significant.length <= 15;
}

export const isMapValue = (v: RawValue | undefined): v is RawMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText);

const describe = (v: RawValue | undefined): string =>
  v instanceof NumberText ? `the number ${v.text}` : Array.isArray(v) ? 'a list' : isMapValue(v) ? 'a map' : JSON.stringify(v);

export interface DecimalRule {
  /** `pricing`: money, prices, tier bounds, percentages (strings, or unquoted numbers of at most 15 significant digits, read by their text).
   *  `meter`: factors and durations (any decimal literal, read from its text). */
  kind: 'pricing' | 'meter';
  min?: Decimal;
  /** min is exclusive (value must be greater). */
  minExclusive?: boolean;
  max?: Decimal;
}

export class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  map(v: RawValue | undefined, path: string): RawMap | undefined {
    if (isMapValue(v)) return v;
    this.add(path, `must be a map (got ${describe(v)})`);
    return undefined;
  }

  /** Reports keys that are not in `allowed` (a typo like `free_unit:` must not be ignored). */
  keys(m: RawMap, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(m)) {
      if (!allowed.includes(k) && k !== 'description') {
        this.add(`${path}.${k}`, `unknown field (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  string(v: RawValue | undefined, path: string, required = true): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.add(path, 'is required');
      return undefined;
    }
    if (typeof v === 'string' && v.length > 0) return v;
    this.add(path, `must be a non-empty string (got ${describe(v)})`);
    return undefined;
  }

  oneOf<T extends string>(v: RawValue | undefined, path: string, options: readonly T[], required = true): T | undefined {
    const s = this.string(v, path, required);
    if (s === undefined) return undefined;
    if ((options as readonly string[]).includes(s)) return s as T;
    this.add(path, `must be one of ${options.join(', ')} (got ${JSON.stringify(s)})`);
    return undefined;
  }

  decimal(v: RawValue | undefined, path: string, rule: DecimalRule): Decimal | undefined {
    let text: string;
    if (typeof v === 'string') {
      text = v.trim();
      const ok = rule.kind === 'pricing' ? PLAIN_DECIMAL.test(text) : DECIMAL_LITERAL.test(text);
      if (!ok) {
        this.add(path, `must be a decimal string such as "12.50" (got ${JSON.stringify(v)})`);
        return undefined;
      }
    } else if (v instanceof NumberText) {
      text = v.text;
      if (!DECIMAL_LITERAL.test(text)) {
        this.add(path, `must be a decimal number (got ${text})`);
        return undefined;
      }
      if (rule.kind === 'pricing' && !isFaithfulNumber(text)) {
        this.add(path, `the number ${text} has more than 15 significant digits and would lose precision in other readers; write it as a string: "${text}"`);
        return undefined;
      }
    } else {
      this.add(path, v === undefined || v === null ? 'is required' : `must be a decimal string (got ${describe(v)})`);
      return undefined;
    }
    const d = new Decimal(text);
    if (rule.min !== undefined && (rule.minExclusive ? d.lte(rule.min) : d.lt(rule.min))) {
      this.add(path, `must be ${rule.minExclusive ? 'greater than' : 'at least'} ${rule.min.toFixed()} (got ${text})`);
      return undefined;
    }
    if (rule.max !== undefined && d.gt(rule.max)) {
      this.add(path, `must be at most ${rule.max.toFixed()} (got ${text})`);
      return undefined;
    }
    return d;
  }

  optionalDecimal(v: RawValue | undefined, path: string, rule: DecimalRule): Decimal | undefined {
    return v === undefined ? undefined : this.decimal(v, path, rule);
  }

  /**
   * An instant: RFC 3339 with an offset, epoch milliseconds, or a bare date `YYYY-MM-DD`, which
   * means midnight in `zone` (the catalogue's time zone, where billing periods start too).
   */
  timestamp(v: RawValue | undefined, path: string, zone: string, required = true): number | undefined {
    if (v === undefined || v === null) {
      if (required) this.add(path, 'is required');
      return undefined;
    }
    if (typeof v === 'string' && DATE_ONLY.test(v)) {
      const d = DateTime.fromISO(v, { zone });
      if (d.isValid) return d.toMillis();
      this.add(path, `${JSON.stringify(v)} is not a real date`);
      return undefined;
    }
    // epoch milliseconds only as whole digits; any other number text is judged (and refused) as written
    const input = v instanceof NumberText ? (/^\d{1,15}$/.test(v.text) ? Number(v.text) : v.text) : v;
    if (typeof input !== 'string' && typeof input !== 'number') {
      this.add(path, `must be an RFC 3339 timestamp such as "2026-10-01T00:00:00Z" (got ${describe(v)})`);
      return undefined;
    }
    const r = parseTimestamp(input);
    if (!r.ok) {
      this.add(path, r.reason.replace(/^ts /, ''));
      return undefined;
    }
    return r.ms;
  }
}
