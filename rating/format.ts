// Decimal text for invoices (SPEC §9): amounts with exactly the currency's minor digits,
// quantities as plain decimals, prices as written (at least the minor digits).
import { type Decimal, formatFixed, formatPlain, roundTo } from '../lib/decimal.js';

/** Fraction digits above which a quantity is shown rounded (see formatQuantity). */
const EXACT_QUANTITY_DIGITS = 18;
const SHOWN_QUANTITY_DIGITS = 9;

export const formatAmount = (d: Decimal, minorDigits: number): string => formatFixed(d, minorDigits);

/**
 * A quantity exactly when it terminates within 18 fraction digits ("1234.567", "0.000000001"),
 * else rounded half-up to 9 digits: a time average or a prorated month such as 20/31 has no
 * finite decimal form. Amounts are always computed from the exact quantity, never this text.
 */
export function formatQuantity(d: Decimal): string {
  return formatPlain(d.decimalPlaces() <= EXACT_QUANTITY_DIGITS ? d : roundTo(d, SHOWN_QUANTITY_DIGITS));
}

/** A unit price: "129.00" for 129 in USD, "0.004" kept whole. */
export const formatPrice = (d: Decimal, minorDigits: number): string =>
  d.decimalPlaces() < minorDigits ? d.toFixed(minorDigits) : formatPlain(d);
