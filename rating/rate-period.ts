// All invoices of one billing period: one per customer with a subscription overlapping the
// period (even without usage), sorted by customer id (code-unit order, locale-independent).
import type { Catalog, Subscription } from '../catalog/types.js';
import type { DownInterval } from '../nagios/intervals.js';
import type { Invoice } from './invoice-types.js';
import { rateInvoice, type LateUsage, type SubscriptionUsage } from './invoice.js';
import { overlap } from './overlap.js';
import type { BillingPeriod } from './period.js';

export interface PeriodInput {
  catalog: Catalog;
  period: BillingPeriod;
  usage: ReadonlyMap<string, SubscriptionUsage>;
  down?: readonly DownInterval[];
  adjustments?: ReadonlyMap<string, readonly LateUsage[]>;
  status?: 'draft' | 'final';
}

export function ratePeriod(input: PeriodInput): Invoice[] {
  const byCustomer = new Map<string, Subscription[]>();
  for (const sub of input.catalog.subscriptions) {
    if (!overlap(sub, input.period)) continue;
    const list = byCustomer.get(sub.customer);
    if (list) list.push(sub);
    else byCustomer.set(sub.customer, [sub]);
  }
  const customers = [...byCustomer.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return customers.map((customer) =>
    rateInvoice({
      catalog: input.catalog,
      customer,
      period: input.period,
      subscriptions: byCustomer.get(customer) ?? [],
      usage: input.usage,
      ...(input.down ? { down: input.down } : {}),
      ...(input.adjustments?.get(customer) ? { adjustments: input.adjustments.get(customer) ?? [] } : {}),
      ...(input.status ? { status: input.status } : {}),
    }),
  );
}
