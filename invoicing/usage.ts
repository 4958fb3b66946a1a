// Stored rollup parts → the usage the rating core prices, through the very code `bill` uses
// (rating/embedded/usage-collector.ts): each part belongs to the subscription of its server
// active at the part's window start (the aggregator cuts windows at subscription and period
// boundaries), and the parts of one (subscription, meter) are merged with the aggregation
// core's exact state algebra. Here we also keep which parts were attributed, for lineage.
import type { Catalog, Subscription } from '../catalog/types.js';
import { SubscriptionIndex } from '../rating/attribution.js';
import { UsageCollector } from '../rating/embedded/usage-collector.js';
import type { SubscriptionUsage } from '../rating/invoice.js';
import type { BillingPeriod } from '../rating/period.js';
import type { RatedPart } from './part-cache.js';

export interface AttributedUsage {
  /** subscription id → meter → quantity, as rateInvoice takes it. */
  usage: Map<string, SubscriptionUsage>;
  /** Ids of every part attributed to one of the subscriptions. */
  partIds: string[];
}

export const lineKey = (subscriptionId: string, meter: string): string => `${subscriptionId}\u0000${meter}`;

/** Usage of `subscriptions` in `period` from `parts` (parts outside them are ignored). */
export function attributeParts(
  catalog: Catalog,
  period: BillingPeriod,
  subscriptions: readonly Subscription[],
  parts: readonly RatedPart[],
): AttributedUsage {
  const index = new SubscriptionIndex(subscriptions);
  const collector = new UsageCollector(catalog, period, index);
  const partIds: string[] = [];
  for (const p of parts) {
    if (p.windowStartMs < period.startMs || p.windowStartMs >= period.endMs) continue;
    if (!index.find(p.serverId, p.windowStartMs)) continue;
    if (p.memberIds) partIds.push(...p.memberIds);
    else partIds.push(p.partId);
    collector.add({
      partId: p.partId,
      serverId: p.serverId,
      meter: p.meter,
      windowStartMs: p.windowStartMs,
      windowEndMs: p.windowEndMs,
      correction: p.correction,
      state: p.state,
    });
  }
  return { usage: collector.usage(), partIds };
}
