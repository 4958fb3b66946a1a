// An invoice as rating produces it: every line carries its rounded amount (what the customer
// pays) and, where there is arithmetic behind it, the exact amount it was rounded from.
// JSON (SPEC §9) is produced from this by invoice-json.ts.
import type { Decimal } from '../lib/decimal.js';
import type { TierPortion } from './charges.js';
import type { BillingPeriod } from './period.js';

interface SubscriptionLine {
  serverId: string;
  plan: string;
  subscriptionId: string;
  /** Rounded half-up to the currency's minor unit. */
  amount: Decimal;
  exactAmount: Decimal;
}

export interface BaseFeeLine extends SubscriptionLine {
  type: 'base_fee';
  quantity: Decimal;
  unit: 'hour' | 'month';
  unitPrice: Decimal;
}

export interface UsageLine extends SubscriptionLine {
  type: 'usage';
  meter: string;
  quantity: Decimal;
  unit: string;
  billable: Decimal;
  model: string;
  tiers?: TierPortion[];
}

export interface SlaCreditLine extends SubscriptionLine {
  type: 'sla_credit';
  availability: Decimal;
  creditPct: Decimal;
}

export interface AdjustmentLine {
  type: 'adjustment';
  serverId: string;
  meter: string;
  /** `YYYY-MM` of the finalized period the late usage belongs to. */
  periodOfUsage: string;
  amount: Decimal;
  exactAmount: Decimal;
}

export interface DiscountLine {
  type: 'discount';
  pct: Decimal;
  amount: Decimal;
}

export interface MinimumCommitLine {
  type: 'minimum_commit';
  commit: Decimal;
  amount: Decimal;
}

/** SPEC §12.2: after every other line; never part of subtotal, discount or minimum commit. */
export interface TaxLine {
  type: 'tax';
  /** The key under `taxes:`, or `reverse_charge`. */
  code: string;
  /** Printed name ("USt."; "Reverse charge"). */
  name: string;
  /** Percent ("19"; 0 for reverse charge). */
  rate: Decimal;
  /** The amount taxed: the invoice's total_excluding_tax. */
  base: Decimal;
  /** round_half_up(base × rate ÷ 100) to the minor unit. */
  amount: Decimal;
}

export type InvoiceLine = BaseFeeLine | UsageLine | SlaCreditLine | AdjustmentLine | DiscountLine | MinimumCommitLine | TaxLine;

export interface Invoice {
  customer: string;
  currency: string;
  minorDigits: number;
  status: 'draft' | 'final';
  period: BillingPeriod;
  lines: InvoiceLine[];
  subtotal: Decimal;
  /** SPEC §6 step 5's total: every line but tax. */
  totalExcludingTax: Decimal;
  /** Sum of the tax lines (zero without tax). */
  taxTotal: Decimal;
  /** totalExcludingTax + taxTotal: the sum of all lines. */
  total: Decimal;
}
