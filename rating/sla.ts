// SLA credits (SPEC §6.4): availability over the subscription's part of the period picks the
// credit of the *lowest* threshold it falls under; the credit is that share of the rounded
// base fee line, negative.
import type { SlaCredit } from '../catalog/types.js';
import { Decimal } from '../lib/decimal.js';

export interface SlaOutcome {
  availability: Decimal;
  creditPct: Decimal;
  /** Exact, unrounded (negative) amount. */
  amount: Decimal;
}

/** The threshold that applies, or undefined when availability is at or above every `below`. */
export function creditFor(credits: readonly SlaCredit[], availability: Decimal): SlaCredit | undefined {
  let chosen: SlaCredit | undefined;
  for (const c of credits) {
    if (availability.lt(c.below) && (chosen === undefined || c.below.lt(chosen.below))) chosen = c;
  }
  return chosen;
}

export function slaCredit(credits: readonly SlaCredit[], availability: Decimal, roundedBaseFee: Decimal): SlaOutcome | undefined {
  const c = creditFor(credits, availability);
  if (c === undefined) return undefined;
  return { availability, creditPct: c.creditPct, amount: c.creditPct.div(100).times(roundedBaseFee).neg() };
}
