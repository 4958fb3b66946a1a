// A JSON parser (RFC 8259) that keeps every number as its source text (a NumberText), so no
// value read from untrusted input ever passes through a binary double. JSON.parse cannot do
// this in Node 20 (its reviver sees only the double), and "quote only the numbers that might
// be inexact" depends on guessing which those are: it once missed 16-digit integers such as
// 9007199254740993. Everything else — strings, escapes, objects, arrays — is what JSON.parse
// gives, including a `__proto__` key as an own property and the last of repeated keys.
import { NumberText } from './number-text.js';

export type JsonValue = string | boolean | null | NumberText | JsonValue[] | { [key: string]: JsonValue };

/** Deeper nesting is refused (a recursive reader would otherwise overflow the stack). */
export const MAX_JSON_DEPTH = 256;

/** A JSON syntax error; the message names the position, like JSON.parse's. */
export class JsonSyntaxError extends SyntaxError {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Characters a string may hold unescaped: anything but the quote, backslash and U+0000–U+001F.
// eslint-disable-next-line no-control-regex -- the control characters are what JSON forbids raw
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  i = 0;
  constructor(private readonly t: string) {}

  fail(what: string): never {
    const at = this.i < this.t.length ? `unexpected ${JSON.stringify(this.t[this.i])} at position ${this.i}` : 'unexpected end of JSON input';
    throw new JsonSyntaxError(`${at} (${what})`);
  }

  ws(): void {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  value(depth: number): JsonValue {
    this.ws();
    const c = this.t.charCodeAt(this.i);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.t.startsWith('true', this.i)) return this.literal(4, true);
    if (this.t.startsWith('false', this.i)) return this.literal(5, false);
    if (this.t.startsWith('null', this.i)) return this.literal(4, null);
    return this.fail('expected a value');
  }

  literal<T>(length: number, v: T): T {
    this.i += length;
    return v;
  }

  number(): NumberText {
    // test() and lastIndex, not exec(): no match array per number (this runs for every metric)
    const start = this.i;
    NUMBER.lastIndex = start;
    if (!NUMBER.test(this.t)) return this.fail('expected a number');
    this.i = NUMBER.lastIndex;
    const next = this.t.charCodeAt(this.i);
    // "01", "1.", "1e": JSON.parse refuses these as well
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) this.fail('malformed number');
    return new NumberText(this.t.slice(start, this.i));
  }

  string(): string {
    const t = this.t;
    this.i++; // opening quote
    let out = '';
    for (;;) {
      // test() always matches (the run may be empty); lastIndex is where the run ends
      PLAIN_RUN.lastIndex = this.i;
      PLAIN_RUN.test(t);
      const end = PLAIN_RUN.lastIndex;
      const c = t.charCodeAt(end);
      if (c === 0x22 && out === '') {
        // no escapes (most strings): one slice, no concatenation
        const s = t.slice(this.i, end);
        this.i = end + 1;
        return s;
      }
      out += t.slice(this.i, end);
      this.i = end;
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c !== 0x5c) this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in a string');
      const e = t[this.i + 1] ?? '';
      if (e === 'u') {
        const hex = t.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.i++;
          this.fail('bad \\u escape');
        }
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else {
        const ch = ESCAPES[e];
        if (ch === undefined) {
          this.i++;
          this.fail('bad escape');
        }
        out += ch;
        this.i += 2;
      }
    }
  }

  object(depth: number): { [key: string]: JsonValue } {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH}`);
    this.i++;
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.t.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.t.charCodeAt(this.i) !== 0x22) this.fail('expected a property name');
      const key = this.string();
      this.ws();
      if (this.t.charCodeAt(this.i) !== 0x3a) this.fail('expected ":"');
      this.i++;
      const v = this.value(depth);
      // An own property even for "__proto__" (as JSON.parse makes it), never the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.t.charCodeAt(this.i);
      this.i++;
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.i--;
        this.fail('expected "," or "}"');
      }
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH}`);
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.t.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.t.charCodeAt(this.i);
      this.i++;
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.i--;
        this.fail('expected "," or "]"');
      }
    }
  }
}

/**
 * Why text is not JSON, for a rejection: `NaN` and `Infinity` (which some agents write for a
 * failed reading) are named as such; any other error is the reader's, with its position.
 */
export function jsonErrorReason(text: string, err: unknown): string {
  const special = /(?:^|[:,[\s])(-?Infinity|NaN)(?=[\s,}\]]|$)/.exec(text);
  if (special) return `${special[1]} is not a JSON number (values must be finite numbers)`;
  return err instanceof Error ? err.message : String(err);
}

/** JSON text of a value for a message, numbers as written (JSON.stringify would quote a NumberText). */
export function showJson(v: unknown): string {
  if (v instanceof NumberText) return v.text;
  if (Array.isArray(v)) return `[${v.map(showJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${showJson(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Parse JSON text; numbers come back as NumberText. Throws JsonSyntaxError. */
export function parseJsonExact(text: string): JsonValue {
  const r = new Reader(text);
  const v = r.value(0);
  r.ws();
  if (r.i < text.length) r.fail('data after the JSON value');
  return v;
}
