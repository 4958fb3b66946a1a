// JSON.parse that never changes a number's value. JSON.parse turns 18446744073709551615 (a
// 64-bit interface counter) into 18446744073709552000 and 1e400 into Infinity: a silent wrong
// bill. Here every number token whose value a double does not hold exactly is handed on as its
// source text (a decimal string), which the sample parser accepts as an exact metric value.
// Exactly representable numbers stay numbers, so field type checks see what was sent.
import { Decimal } from '../../lib/decimal.js';

/** Cheap test: only long digit runs or exponents can be inexact; most bodies skip the scan. */
const MAYBE_INEXACT = /[0-9.]{17,}|[eE][+-]?\d/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function exact(token: string): boolean {
  const n = Number(token);
  return Number.isFinite(n) && new Decimal(token).equals(new Decimal(String(n)));
}

/** Quote the number tokens (outside strings) that a double would change. */
export function quoteInexactNumbers(text: string): string {
  if (!MAYBE_INEXACT.test(text)) return text;
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // Skip the string, honouring escapes.
      i++;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i += 2;
        else if (c === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m && m[0].length > 0) {
        const token = m[0];
        if (!exact(token)) {
          out += `${text.slice(last, i)}"${token}"`;
          last = i + token.length;
        }
        i += token.length;
        continue;
      }
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

export const parseJsonExact = (text: string): unknown => JSON.parse(quoteInexactNumbers(text));
