// Folds rollup parts into what rating needs for one billing period: merged state per
// (subscription, meter), and per (server, meter) for usage no subscription covers. The
// aggregator cuts windows at period and subscription boundaries (see splitPointsFor), so a
// part lies wholly inside or outside the period and inside at most one subscription; its
// start decides.
import type { Catalog } from '../../catalog/types.js';
import { StateMerger, quantityOf } from '../../pipeline/aggregation/state.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import type { SplitPoints } from '../../pipeline/windows/segments.js';
import type { Decimal } from '../../lib/decimal.js';
import type { SubscriptionIndex } from '../attribution.js';
import { periodSeconds, type BillingPeriod } from '../period.js';

export interface Unattributed {
  serverId: string;
  meter: string;
  quantity: Decimal;
  /** Samples behind it (not in the §9 JSON; shown in the table and the summary). */
  samples: number;
}

/** Split points: the period's bounds and the server's subscription starts and ends. */
export function splitPointsFor(index: SubscriptionIndex, period: BillingPeriod): SplitPoints {
  return (serverId, startMs, endMs) => {
    const out = index.boundariesWithin(serverId, startMs, endMs);
    if (period.startMs > startMs && period.startMs < endMs) out.push(period.startMs);
    if (period.endMs > startMs && period.endMs < endMs) out.push(period.endMs);
    return out;
  };
}

export class UsageCollector {
  private readonly bySubscription = new Map<string, Map<string, StateMerger>>();
  private readonly unattributed = new Map<string, Map<string, StateMerger>>();
  partsIn = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly period: BillingPeriod,
    private readonly index: SubscriptionIndex,
  ) {}

  add(part: RollupPart): void {
    const { period } = this;
    if (part.windowStartMs < period.startMs || part.windowStartMs >= period.endMs) return;
    if (part.windowEndMs > period.endMs) throw new Error(`part ${part.partId} straddles the period end: windows were not split`);
    this.partsIn++;
    const sub = this.index.find(part.serverId, part.windowStartMs);
    const target = sub ? this.bySubscription : this.unattributed;
    const key = sub ? sub.id : part.serverId;
    let meters = target.get(key);
    if (!meters) target.set(key, (meters = new Map()));
    let m = meters.get(part.meter);
    if (!m) meters.set(part.meter, (m = new StateMerger()));
    m.add(part.state);
  }

  /** subscription id → meter → quantity over the subscription's part of the period. */
  usage(): Map<string, Map<string, Decimal>> {
    const seconds = periodSeconds(this.period);
    const out = new Map<string, Map<string, Decimal>>();
    for (const [sub, meters] of this.bySubscription) {
      const q = new Map<string, Decimal>();
      for (const [name, merger] of meters) {
        const meter = this.catalog.meters[name];
        if (meter) q.set(name, quantityOf(meter, merger.result(), seconds));
      }
      out.set(sub, q);
    }
    return out;
  }

  /** Usage in the period that no subscription covers, sorted by server then meter. */
  unattributedUsage(): Unattributed[] {
    const seconds = periodSeconds(this.period);
    const out: Unattributed[] = [];
    for (const [serverId, meters] of this.unattributed) {
      for (const [name, merger] of meters) {
        const meter = this.catalog.meters[name];
        const state = merger.result();
        if (meter) out.push({ serverId, meter: name, quantity: quantityOf(meter, state, seconds), samples: state.count });
      }
    }
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return out.sort((a, b) => cmp(a.serverId, b.serverId) || cmp(a.meter, b.meter));
  }
}
