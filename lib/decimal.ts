// Money and quantities are exact decimals. decimal.js is configured once here: 60 significant
// digits keeps every quotient in rating (proration, time averages) far below the smallest
// minor unit, and half-up (ties away from zero) is the rounding SPEC §6.5 prescribes.
import { Decimal as DecimalJs } from 'decimal.js';

export const Decimal = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 60,
});
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);

const DECIMAL_STRING = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** True for a plain decimal string such as "12.50", "-3", "1e-9". */
export const isDecimalString = (s: string): boolean => DECIMAL_STRING.test(s.trim());

/** Parse a decimal string, or throw naming the value. */
export function dec(value: DecimalInput): Decimal {
  if (typeof value === 'string' && !isDecimalString(value)) {
    throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`not a finite number: ${value}`);
  }
  return new Decimal(value);
}

/**
 * Round half-up (ties away from zero) to `digits` fraction digits. A negative amount is the
 * negated rounding of its magnitude, which ROUND_HALF_UP in decimal.js already is.
 */
export const roundTo = (value: Decimal, digits: number): Decimal =>
  value.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);

/** Fixed notation with exactly `digits` fraction digits (amounts: the currency's minor unit). */
export const formatFixed = (value: Decimal, digits: number): string => {
  const s = roundTo(value, digits).toFixed(digits);
  return s === `-${(0).toFixed(digits)}` ? s.slice(1) : s; // never print "-0.00"
};

/** Plain notation without trailing zeros (quantities): "1234.567", "1", "0.000000001". */
export const formatPlain = (value: Decimal): string => {
  const s = value.toFixed();
  return s === '-0' ? '0' : s;
};
