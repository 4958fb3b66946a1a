// Stored rollup parts → the usage the rating core prices: each part belongs to the
// subscription of its server active at the part's window start (the aggregator splits windows
// at subscription boundaries, so a part never straddles one), and the parts of one
// (subscription, meter) are merged with the aggregation core's exact state algebra.
import type { Catalog, Subscription } from '../catalog/types.js';
import type { Decimal } from '../lib/decimal.js';
import { StateMerger, quantityOf } from '../pipeline/aggregation/state.js';
import { SubscriptionIndex } from '../rating/attribution.js';
import type { SubscriptionUsage } from '../rating/invoice.js';
import { periodSeconds, type BillingPeriod } from '../rating/period.js';
import type { StoredPart } from './db/parts.js';

export interface AttributedUsage {
  /** subscription id → meter → quantity (meters with parts only), as rateInvoice takes it. */
  usage: Map<string, SubscriptionUsage>;
  /** Ids of every part attributed to one of the subscriptions. */
  partIds: string[];
  /** `${subscriptionId}\u0000${meter}` → ids of its parts. */
  partsByLine: Map<string, string[]>;
}

export const lineKey = (subscriptionId: string, meter: string): string => `${subscriptionId}\u0000${meter}`;

/**
 * Usage of `subscriptions` in `period` from `parts` (parts of other servers, other periods, or
 * outside every given subscription are ignored). Meters the catalogue no longer has are skipped.
 */
export function attributeParts(
  catalog: Catalog,
  period: BillingPeriod,
  subscriptions: readonly Subscription[],
  parts: readonly StoredPart[],
): AttributedUsage {
  const index = new SubscriptionIndex(subscriptions);
  const mergers = new Map<string, { sub: Subscription; meter: string; merger: StateMerger }>();
  const partIds: string[] = [];
  const partsByLine = new Map<string, string[]>();
  for (const p of parts) {
    if (p.windowStartMs < period.startMs || p.windowStartMs >= period.endMs) continue;
    const sub = index.find(p.serverId, p.windowStartMs);
    if (!sub) continue;
    partIds.push(p.partId);
    if (!catalog.meters[p.meter]) continue;
    const key = lineKey(sub.id, p.meter);
    let m = mergers.get(key);
    if (!m) {
      m = { sub, meter: p.meter, merger: new StateMerger() };
      mergers.set(key, m);
    }
    m.merger.add(p.state);
    const ids = partsByLine.get(key);
    if (ids) ids.push(p.partId);
    else partsByLine.set(key, [p.partId]);
  }
  const seconds = periodSeconds(period);
  const usage = new Map<string, Map<string, Decimal>>();
  for (const { sub, meter, merger } of mergers.values()) {
    const state = merger.result();
    if (state.count === 0) continue;
    const q = quantityOf(catalog.meters[meter]!, state, seconds);
    const perSub = usage.get(sub.id) ?? new Map<string, Decimal>();
    perSub.set(meter, q);
    usage.set(sub.id, perSub);
  }
  return { usage, partIds, partsByLine };
}
