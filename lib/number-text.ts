// A number as it was written in JSON or YAML input, kept as text. Every reader of untrusted
// input (sample bodies, `meterline bill` lines, Statusengine messages, catalogue files, API
// bodies) hands numbers on in this form, so no value ever passes through a binary double:
// 9007199254740993 stays 9007199254740993, 0.1 stays one tenth.
import { Decimal as DecimalJs } from 'decimal.js';

export class NumberText {
  constructor(readonly text: string) {}

  /** JSON.stringify(x) of a value holding it: the number as written (in error messages). */
  toJSON(): string {
    return this.text;
  }
}

/**
 * Exact values printed the way JavaScript prints numbers (plain notation from 1e-7 up to 1e21,
 * exponent form outside): a sample's values keep the spelling they always had (`0.0000001` →
 * `1e-7`, `1.50` → `1.5`, `-0` → `0`), now without rounding for any length of digits.
 */
const JsStyle = DecimalJs.clone({ toExpNeg: -7, toExpPos: 21 });

/** Exponents whose text is longer than this are left as written: the caller rejects them. */
const MAX_EXPONENT_DIGITS = 6;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The canonical text of a JSON number token (grammar -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?),
 * equal in value to the token. Scanned by hand for the common shapes (this runs for every
 * metric of every sample); decimal.js decides the rare ones (exponents, tiny or huge values).
 */
export function canonicalNumber(token: string): string {
  const n = token.length;
  const neg = token.charCodeAt(0) === 45 ? 1 : 0;
  let dot = -1;
  for (let i = neg; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c === 46) dot = i;
    else if (!isDigit(c)) return viaDecimal(token, i);
  }
  const intDigits = (dot < 0 ? n : dot) - neg;
  // "0.000000…": below 1e-6 the JavaScript spelling uses an exponent
  if (intDigits > 21 || (token.charCodeAt(neg) === 48 && dot >= 0 && token.startsWith('000000', dot + 1))) return viaDecimal(token, n);
  let end = n;
  if (dot >= 0) {
    while (token.charCodeAt(end - 1) === 48) end--; // "1.50" → "1.5"
    if (end === dot + 1) end = dot; // "2.0" → "2"
  }
  const out = end === n ? token : token.slice(0, end);
  return neg === 1 && out === '-0' ? '0' : out;
}

function viaDecimal(token: string, expAt: number): string {
  const exp = token.slice(expAt + 1).replace(/^[+-]?0*/, '');
  if (exp.length > MAX_EXPONENT_DIGITS) return token;
  try {
    return new JsStyle(token).toString();
  } catch {
    return token; // not a number at all: the caller's own check names it
  }
}
