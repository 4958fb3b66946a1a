// Usage pricing models (SPEC §6.3). q is the meter's quantity over the subscription's part of
// the period; billable b = max(0, q − free_units) (free units are never prorated). Everything
// here is exact; the line is rounded once, by the invoice builder.
import type { Charge, Tier } from '../catalog/types.js';
import { Decimal, ZERO } from '../lib/decimal.js';

/** How much of b one tier priced (graduated: each tier reached; volume: the chosen tier). */
export interface TierPortion {
  /** Index into the charge's tiers. */
  tier: number;
  quantity: Decimal;
  unitPrice: Decimal;
  flatFee: Decimal;
  amount: Decimal;
}

export interface PricedUsage {
  quantity: Decimal;
  billable: Decimal;
  /** Exact, unrounded amount. */
  amount: Decimal;
  tiers?: TierPortion[];
}

function graduated(tiers: readonly Tier[], b: Decimal): { amount: Decimal; tiers: TierPortion[] } {
  const portions: TierPortion[] = [];
  let lower = ZERO;
  let amount = ZERO;
  for (const [i, t] of tiers.entries()) {
    // Tier i prices the part of b in (lower, up_to]; a tier is "reached" when b > lower.
    if (!b.gt(lower)) break;
    const upper = t.upTo === null ? b : Decimal.min(b, t.upTo);
    const qty = upper.minus(lower);
    const flatFee = t.flatFee ?? ZERO;
    const part = qty.times(t.unitPrice).plus(flatFee);
    portions.push({ tier: i, quantity: qty, unitPrice: t.unitPrice, flatFee, amount: part });
    amount = amount.plus(part);
    if (t.upTo === null) break;
    lower = t.upTo;
  }
  return { amount, tiers: portions };
}

function volume(tiers: readonly Tier[], b: Decimal): { amount: Decimal; tiers: TierPortion[] } {
  // The first tier whose up_to ≥ b (null = no bound); the catalogue makes the last unbounded.
  const i = tiers.findIndex((t) => t.upTo === null || t.upTo.gte(b));
  const t = tiers[i];
  if (t === undefined) throw new RangeError(`quantity ${b.toFixed()} is beyond the last tier`);
  if (b.isZero()) return { amount: ZERO, tiers: [] };
  const flatFee = t.flatFee ?? ZERO;
  const amount = b.times(t.unitPrice).plus(flatFee);
  return { amount, tiers: [{ tier: i, quantity: b, unitPrice: t.unitPrice, flatFee, amount }] };
}

/** Prices quantity q under one charge. */
export function priceUsage(charge: Charge, q: Decimal): PricedUsage {
  const billable = Decimal.max(ZERO, q.minus(charge.freeUnits));
  switch (charge.model) {
    case 'per_unit':
      return { quantity: q, billable, amount: billable.times(charge.unitPrice ?? ZERO) };
    case 'package': {
      const size = charge.packageSize;
      if (size === undefined || size.lte(0)) throw new RangeError(`charge of ${charge.meter}: package_size must be positive`);
      return { quantity: q, billable, amount: billable.div(size).ceil().times(charge.packagePrice ?? ZERO) };
    }
    case 'graduated':
      return { quantity: q, billable, ...graduated(charge.tiers ?? [], billable) };
    case 'volume':
      return { quantity: q, billable, ...volume(charge.tiers ?? [], billable) };
  }
}
