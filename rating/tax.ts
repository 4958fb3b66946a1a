// Tax (SPEC §12.2), pure: the tax lines of an amount and the three totals. Used by rating
// (`meterline bill` and the rate role's drafts) and by credit notes, so every document taxes
// the same way. No I/O.
import { TAX_EXEMPT, TAX_REVERSE_CHARGE, type CustomerTax, type TaxRate } from '../catalog/types.js';
import { Decimal, ZERO, roundTo } from '../lib/decimal.js';
import type { TaxLine } from './invoice-types.js';

const HUNDRED = new Decimal(100);

/** The reverse-charge line's name: the tax is owed by the customer, not charged here. */
export const REVERSE_CHARGE_NAME = 'Reverse charge';

/**
 * round_half_up(base × rate ÷ 100) to `minorDigits` (ties away from zero, so a negative base
 * gives the negated tax of its magnitude: −0.50 at 19 % → −0.10).
 */
export const taxAmount = (base: Decimal, ratePct: Decimal, minorDigits: number): Decimal =>
  roundTo(base.times(ratePct).div(HUNDRED), minorDigits);

/**
 * The tax lines of `base` (an invoice's total_excluding_tax, or a credit note's credited
 * amount) for a customer's tax treatment: none without a treatment or when `exempt`; one zero
 * line for `reverse_charge`; else one line at the tax's rate. `base` must already be rounded
 * to the minor unit (it is a sum of rounded lines). Throws for a key `taxes` lacks — validation
 * makes that impossible for a catalogue and a stored customer alike.
 */
export function taxLines(
  base: Decimal,
  customerTax: CustomerTax | undefined,
  taxes: Readonly<Record<string, TaxRate>>,
  minorDigits: number,
): TaxLine[] {
  if (customerTax === undefined || customerTax === TAX_EXEMPT) return [];
  if (customerTax === TAX_REVERSE_CHARGE) {
    return [{ type: 'tax', code: TAX_REVERSE_CHARGE, name: REVERSE_CHARGE_NAME, rate: ZERO, base, amount: ZERO }];
  }
  const tax = taxes[customerTax];
  if (!tax) throw new RangeError(`unknown tax ${JSON.stringify(customerTax)} (the catalogue's taxes: ${Object.keys(taxes).join(', ') || 'none'})`);
  return [{ type: 'tax', code: tax.code, name: tax.name, rate: tax.rate, base, amount: taxAmount(base, tax.rate, minorDigits) }];
}

export interface TaxTotals {
  /** The total before tax (SPEC §6 step 5). */
  totalExcludingTax: Decimal;
  /** Sum of the tax lines; zero without any. */
  taxTotal: Decimal;
  /** totalExcludingTax + taxTotal. */
  total: Decimal;
}

/** The three totals of a document from its total before tax and its tax lines. */
export function taxTotals(totalExcludingTax: Decimal, lines: readonly Pick<TaxLine, 'amount'>[]): TaxTotals {
  const taxTotal = lines.reduce((s, l) => s.plus(l.amount), ZERO);
  return { totalExcludingTax, taxTotal, total: totalExcludingTax.plus(taxTotal) };
}

/** Both at once: the tax lines of `totalExcludingTax` and the resulting totals. */
export function applyTax(
  totalExcludingTax: Decimal,
  customerTax: CustomerTax | undefined,
  taxes: Readonly<Record<string, TaxRate>>,
  minorDigits: number,
): TaxTotals & { lines: TaxLine[] } {
  const lines = taxLines(totalExcludingTax, customerTax, taxes, minorDigits);
  return { lines, ...taxTotals(totalExcludingTax, lines) };
}
