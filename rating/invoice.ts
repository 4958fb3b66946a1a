// One customer's invoice for one period (SPEC §6): per subscription a base fee, one usage
// line per charged meter that has usage, an SLA credit; then late-usage adjustments, the
// contract discount and the minimum-commit true-up; then tax (SPEC §12.2) on the total of all
// that. Each line is rounded on its own; the subtotal and totals are sums of rounded lines, so
// the invoice always adds up as printed.
import type { Catalog, Subscription } from '../catalog/types.js';
import { Decimal, ZERO, roundTo } from '../lib/decimal.js';
import { availability, type DownInterval } from '../nagios/intervals.js';
import { priceBaseFee } from './base-fee.js';
import { priceUsage } from './charges.js';
import { effectivePlan } from './contract.js';
import type { AdjustmentLine, Invoice, InvoiceLine } from './invoice-types.js';
import { overlap } from './overlap.js';
import type { BillingPeriod } from './period.js';
import { slaCredit } from './sla.js';
import { applyTax } from './tax.js';

/** Usage quantities of one subscription in the period: meter → q (meters with samples only). */
export type SubscriptionUsage = ReadonlyMap<string, Decimal>;

export interface LateUsage {
  serverId: string;
  meter: string;
  periodOfUsage: string;
  /** Exact amount, priced by the caller under the finalized period's rules. */
  amount: Decimal;
}

export interface InvoiceInput {
  catalog: Catalog;
  customer: string;
  period: BillingPeriod;
  /** Subscriptions of the customer; those that miss the period are skipped. */
  subscriptions: readonly Subscription[];
  /** subscription id → usage. */
  usage: ReadonlyMap<string, SubscriptionUsage>;
  /** HARD DOWN intervals (SPEC §7), any servers; empty = full availability. */
  down?: readonly DownInterval[];
  adjustments?: readonly LateUsage[];
  status?: 'draft' | 'final';
}

const bySubscriptionOrder = (a: Subscription, b: Subscription): number =>
  a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : a.fromMs - b.fromMs;

export function rateInvoice(input: InvoiceInput): Invoice {
  const { catalog, period } = input;
  const digits = catalog.minorDigits;
  const round = (d: Decimal): Decimal => roundTo(d, digits);
  const customer = catalog.customers[input.customer];
  const lines: InvoiceLine[] = [];

  for (const sub of [...input.subscriptions].sort(bySubscriptionOrder)) {
    const span = overlap(sub, period);
    const basePlan = catalog.plans[sub.plan];
    if (!span || !basePlan) continue;
    const plan = effectivePlan(basePlan, customer);
    const who = { serverId: sub.serverId, plan: plan.name, subscriptionId: sub.id };

    let baseFeeAmount: Decimal | undefined;
    if (plan.baseFee) {
      const fee = priceBaseFee(plan.baseFee, span, period);
      baseFeeAmount = round(fee.amount);
      lines.push({ type: 'base_fee', ...who, quantity: fee.quantity, unit: fee.unit, unitPrice: fee.unitPrice, amount: baseFeeAmount, exactAmount: fee.amount });
    }

    const usage = input.usage.get(sub.id);
    for (const charge of plan.charges) {
      const q = usage?.get(charge.meter);
      if (q === undefined) continue;
      const priced = priceUsage(charge, q);
      const meter = catalog.meters[charge.meter];
      lines.push({
        type: 'usage', ...who, meter: charge.meter, quantity: q, unit: meter?.unit ?? '', billable: priced.billable,
        model: charge.model, ...(priced.tiers ? { tiers: priced.tiers } : {}), amount: round(priced.amount), exactAmount: priced.amount,
      });
    }

    if (plan.sla && baseFeeAmount !== undefined && input.down && input.down.length > 0) {
      const avail = availability(input.down, sub.serverId, span.startMs, span.endMs);
      const credit = slaCredit(plan.sla.credits, avail, baseFeeAmount);
      if (credit) {
        lines.push({ type: 'sla_credit', ...who, availability: avail, creditPct: credit.creditPct, amount: round(credit.amount), exactAmount: credit.amount });
      }
    }
  }

  const adjustments: AdjustmentLine[] = (input.adjustments ?? []).map((a) => ({
    type: 'adjustment', serverId: a.serverId, meter: a.meter, periodOfUsage: a.periodOfUsage, amount: round(a.amount), exactAmount: a.amount,
  }));
  lines.push(...adjustments);

  const subtotal = lines.reduce((s, l) => s.plus(l.amount), ZERO);
  let afterDiscount = subtotal;
  const pct = customer?.contract.discountPct;
  if (pct !== undefined && pct.gt(0)) {
    const amount = round(subtotal.times(pct).div(100)).neg();
    lines.push({ type: 'discount', pct, amount });
    afterDiscount = subtotal.plus(amount);
  }
  const commit = customer?.contract.minimumCommit;
  if (commit !== undefined) {
    const trueUp = round(Decimal.max(ZERO, commit.minus(afterDiscount)));
    if (!trueUp.isZero()) lines.push({ type: 'minimum_commit', commit, amount: trueUp });
  }
  const beforeTax = lines.reduce((s, l) => s.plus(l.amount), ZERO);
  const tax = applyTax(beforeTax, customer?.tax, catalog.taxes, digits);
  lines.push(...tax.lines);
  return {
    customer: input.customer, currency: catalog.currency, minorDigits: digits, status: input.status ?? 'draft',
    period, lines, subtotal, totalExcludingTax: tax.totalExcludingTax, taxTotal: tax.taxTotal, total: tax.total,
  };
}
