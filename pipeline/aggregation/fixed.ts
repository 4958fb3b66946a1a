// Exact decimal arithmetic on the aggregation hot path: a value is an integer mantissa and a
// count of fraction digits (m × 10^-s). Sums, products and comparisons of such values are exact
// with BigInt and several times cheaper than decimal.js, which matters when `meterline bill`
// folds ~9M samples × several meters. Division (integral ÷ per_seconds, averages) is left to
// lib/decimal.ts, done once per emitted part or per quantity, never per sample.
import { Decimal } from '../../lib/decimal.js';

export interface Fixed {
  /** Mantissa. */
  readonly m: bigint;
  /** Fraction digits, ≥ 0. */
  readonly s: number;
}

export const FIXED_ZERO: Fixed = { m: 0n, s: 0 };
export const FIXED_ONE: Fixed = { m: 1n, s: 0 };

const POW10: bigint[] = [1n];
/** 10^n as a bigint (cached: scales are small and repeat). */
export function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push((POW10[i - 1] as bigint) * 10n);
  return POW10[n] as bigint;
}

const GENERAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parse a decimal string ("12.5", "-3", "1e-9", ".5", "1.5E+21") exactly; throws a RangeError
 * naming the text when it is not a decimal number.
 */
export function parseFixed(text: string): Fixed {
  // Fast path, the common shape of JSON numbers: -?digits(.digits)? — scanned by hand because
  // this runs for every metric of every sample.
  const n = text.length;
  const i = text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  let dot = -1;
  let ok = i < n;
  for (let j = i; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 46 && dot < 0 && j > i && j < n - 1) dot = j; // '.'
    else if (c < 48 || c > 57) {
      ok = false;
      break;
    }
  }
  if (ok) {
    if (dot < 0) return { m: n - i <= 15 ? BigInt(Number(text)) : BigInt(text), s: 0 };
    const digits = text.slice(0, dot) + text.slice(dot + 1);
    return { m: n <= 16 ? BigInt(Number(digits)) : BigInt(digits), s: n - dot - 1 };
  }
  const g = GENERAL.exec(text.trim());
  const int = g?.[2] ?? '';
  const frac = g?.[3] ?? '';
  if (g === null || int.length + frac.length === 0) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  }
  const exp = g[4] === undefined ? 0 : Number(g[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) {
    throw new RangeError(`decimal exponent out of range: ${JSON.stringify(text)}`);
  }
  let m = BigInt(int + frac || '0');
  if (g[1] === '-') m = -m;
  let s = frac.length - exp;
  if (s < 0) {
    m *= pow10(-s);
    s = 0;
  }
  return { m, s };
}

/** Mantissa of `a` expressed with `s` fraction digits (s ≥ a.s). */
const scaleTo = (a: Fixed, s: number): bigint => (s === a.s ? a.m : a.m * pow10(s - a.s));

export function addFixed(a: Fixed, b: Fixed): Fixed {
  if (a.s === b.s) return { m: a.m + b.m, s: a.s };
  const s = Math.max(a.s, b.s);
  return { m: scaleTo(a, s) + scaleTo(b, s), s };
}

export function subFixed(a: Fixed, b: Fixed): Fixed {
  if (a.s === b.s) return { m: a.m - b.m, s: a.s }; // the common case, without a negated copy
  return addFixed(a, { m: -b.m, s: b.s });
}

export function mulFixed(a: Fixed, b: Fixed): Fixed {
  return { m: a.m * b.m, s: a.s + b.s };
}

/** Digits of x ≥ 0: compared with doubles while x is a safe integer (10^k is exact there), else its text. */
function digitCount(x: bigint): number {
  if (x === 0n) return 0;
  const n = Number(x);
  if (!Number.isSafeInteger(n)) return x.toString().length;
  let d = 1;
  while (d < POW10_NUMBER.length && n >= (POW10_NUMBER[d] as number)) d++;
  return d;
}

/**
 * a ÷ b rounded half-up (ties away from zero) to `precision` significant digits — the rounding
 * lib/decimal.ts's Decimal.div does at 60 digits, without building Decimal objects.
 */
export function divFixed(a: Fixed, b: Fixed, precision = 60): Fixed {
  if (b.m === 0n) throw new RangeError('division by zero');
  if (a.m === 0n) return FIXED_ZERO;
  const neg = a.m < 0n !== b.m < 0n;
  const num = a.m < 0n ? -a.m : a.m;
  const den = b.m < 0n ? -b.m : b.m;
  // Scale the numerator so the integer quotient has more than `precision` digits.
  const k = Math.max(0, precision + 1 + digitCount(den) - digitCount(num));
  let q = (num * pow10(k)) / den;
  let s = k + a.s - b.s;
  // A quotient of a (d digits) by b (e digits) has d − e or d − e + 1 digits: one comparison,
  // not the quotient's text (≈ 60 digits, per emitted integral part).
  const low = digitCount(num) + k - digitCount(den);
  const extra = (q >= pow10(low) ? low + 1 : low) - precision;
  if (extra > 0) {
    const unit = pow10(extra);
    const dropped = q % unit;
    q /= unit;
    // Any remainder of the first division only pushes further above half, so ≥ half rounds up.
    if (2n * dropped >= unit) q += 1n;
    s -= extra;
  }
  if (s < 0) {
    q *= pow10(-s);
    s = 0;
  }
  return { m: neg ? -q : q, s };
}

/** −1, 0 or 1. */
export function cmpFixed(a: Fixed, b: Fixed): number {
  if (a.s === b.s) return a.m < b.m ? -1 : a.m > b.m ? 1 : 0;
  const s = Math.max(a.s, b.s);
  const x = scaleTo(a, s);
  const y = scaleTo(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain notation without trailing fraction zeros: "12.5", "0", "-0.000000001". */
export function formatFixed(a: Fixed): string {
  if (a.m === 0n) return '0';
  const neg = a.m < 0n;
  return placePoint((neg ? -a.m : a.m).toString(), a.s, neg);
}

/**
 * formatFixed({ m: BigInt(n), s }) for a safe integer n, without the BigInt: the aggregate
 * role formats a sum or value per emitted part (≈ 5 per sample), and most are doubles in the
 * slab. String() of a safe integer is its exact digits (no exponent below 1e21).
 */
export function formatSmall(n: number, s: number): string {
  if (n === 0) return '0';
  const neg = n < 0;
  return placePoint(String(neg ? -n : n), s, neg);
}

/** The digits of |m| (no leading zeros) with s fraction digits, trailing fraction zeros dropped. */
function placePoint(text: string, scale: number, neg: boolean): string {
  let digits = text;
  let s = scale;
  // Strip trailing fraction zeros on the text: cheaper than dividing the BigInt by 10 in a loop.
  let end = digits.length;
  while (s > 0 && digits.charCodeAt(end - 1) === 48) {
    end--;
    s--;
  }
  if (end !== digits.length) digits = digits.slice(0, end);
  if (s > 0) {
    if (digits.length <= s) digits = '0'.repeat(s - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s)}`;
  }
  return neg ? `-${digits}` : digits;
}

export const fixedToDecimal = (a: Fixed): Decimal => new Decimal(formatFixed(a));

/** A finite Decimal (catalogue factors, intervals) as an exact Fixed. */
export const fixedFromDecimal = (d: Decimal): Fixed => parseFixed(d.toFixed());

/** 10^k as doubles, exact for k ≤ 22. */
const POW10_NUMBER = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A running exact sum. Mutable on purpose: the aggregator adds millions of values and must
 * not allocate a result object for each. The value is (m + small) × 10^-s: `small` takes the
 * addends that are safe integers (addSmall) as plain doubles — exact while the running total
 * stays a safe integer, which Number.isSafeInteger checks after each addition (a rounded sum
 * is never a safe integer) — so most additions allocate no BigInt. It spills into `m` when it
 * would leave that range.
 */
export class FixedSum {
  m = 0n;
  s = 0;
  small = 0;

  add(m: bigint, s: number): void {
    if (s === this.s) this.m += m;
    else if (s < this.s) this.m += m * pow10(this.s - s);
    else {
      this.m = (this.m + BigInt(this.small)) * pow10(s - this.s) + m;
      this.small = 0;
      this.s = s;
    }
  }

  /** add(BigInt(n), s) for a safe integer n, without allocating a BigInt in the common case. */
  addSmall(n: number, s: number): void {
    if (s !== this.s) {
      const k = s < this.s && this.s - s < POW10_NUMBER.length ? n * POW10_NUMBER[this.s - s]! : Number.NaN;
      if (!Number.isSafeInteger(k)) {
        this.add(BigInt(n), s);
        return;
      }
      n = k; // the same value at this sum's scale (exact: a safe integer product)
    }
    const t = this.small + n;
    if (Number.isSafeInteger(t)) this.small = t;
    else {
      this.m += BigInt(this.small);
      this.small = n;
    }
  }

  addFixed(a: Fixed): void {
    this.add(a.m, a.s);
  }

  value(): Fixed {
    return { m: this.small === 0 ? this.m : this.m + BigInt(this.small), s: this.s };
  }
}
