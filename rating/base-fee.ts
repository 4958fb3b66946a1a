// Base fees (SPEC §6.2). Hourly: every started hour of the subscription inside the period is
// billed whole. Monthly: prorated to the millisecond by the share of the period's real elapsed
// time the subscription covers (a full month is exactly 1).
import type { BaseFee } from '../catalog/types.js';
import { Decimal } from '../lib/decimal.js';
import type { Span } from './overlap.js';
import type { BillingPeriod } from './period.js';

const HOUR_MS = 3_600_000;

export interface PricedBaseFee {
  /** Hours started (per hour) or the fraction of the month covered (per month). */
  quantity: Decimal;
  unit: 'hour' | 'month';
  unitPrice: Decimal;
  /** Exact, unrounded amount. */
  amount: Decimal;
}

export function priceBaseFee(fee: BaseFee, span: Span, period: BillingPeriod): PricedBaseFee {
  const ms = span.endMs - span.startMs;
  if (fee.per === 'hour') {
    const hours = new Decimal(Math.ceil(ms / HOUR_MS)); // ms is an integer: exact in a double
    return { quantity: hours, unit: 'hour', unitPrice: fee.amount, amount: hours.times(fee.amount) };
  }
  const periodMs = new Decimal(period.endMs - period.startMs);
  // Multiply before dividing: one rounding (at 60 digits), far below any minor unit.
  return {
    quantity: new Decimal(ms).div(periodMs),
    unit: 'month',
    unitPrice: fee.amount,
    amount: fee.amount.times(ms).div(periodMs),
  };
}
