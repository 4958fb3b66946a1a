// Late usage of a finalized period (SPEC §4, §9): billed on the customer's next draft as an
// `adjustment` line naming the period it belongs to. The amount is recomputed, never
// accumulated: for each (subscription, meter) with late parts,
//   adjustment = the usage line's rounded amount re-rated over *all* parts of that period
//              − what final invoices already billed for it (its usage line + earlier adjustments),
// so a replayed part, a recompute or a second late batch never bills anything twice, and the
// sum over all invoices equals what one rating of all the usage would have charged per line.
import type { Subscription } from '../catalog/types.js';
import { Decimal, ZERO } from '../lib/decimal.js';
import { SubscriptionIndex } from '../rating/attribution.js';
import type { LateUsage } from '../rating/invoice.js';
import type { Invoice } from '../rating/invoice-types.js';
import { overlap } from '../rating/overlap.js';
import { periodOf, type BillingPeriod } from '../rating/period.js';
import type { StoredPart } from './db/parts.js';
import type { BilledLine } from './db/invoices.js';
import type { LineLineage } from './types.js';
import { lineKey } from './usage.js';

/** Late parts of one finalized period, by line key (subscription, meter). */
export interface LateGroup {
  period: BillingPeriod;
  lines: Map<string, { sub: Subscription; meter: string; partIds: string[] }>;
}

/**
 * Groups unbilled parts that fall in a period finalized for this customer, attributed to the
 * customer's own subscriptions. Returns the groups in period order and every part id looked at.
 */
export function groupLateParts(
  unbilled: readonly StoredPart[],
  subscriptions: readonly Subscription[],
  finalPeriods: ReadonlySet<string>,
  zone: string,
): { groups: LateGroup[]; partIds: string[] } {
  const index = new SubscriptionIndex(subscriptions);
  const groups = new Map<string, LateGroup>();
  const partIds: string[] = [];
  for (const p of unbilled) {
    const sub = index.find(p.serverId, p.windowStartMs);
    if (!sub) continue;
    const period = periodOf(p.windowStartMs, zone);
    if (!finalPeriods.has(period.label)) continue;
    partIds.push(p.partId);
    let g = groups.get(period.label);
    if (!g) {
      g = { period, lines: new Map() };
      groups.set(period.label, g);
    }
    const key = lineKey(sub.id, p.meter);
    const line = g.lines.get(key);
    if (line) line.partIds.push(p.partId);
    else g.lines.set(key, { sub, meter: p.meter, partIds: [p.partId] });
  }
  return { groups: [...groups.values()].sort((a, b) => a.period.startMs - b.period.startMs), partIds };
}

export interface Adjustment {
  late: LateUsage;
  subscriptionId: string;
  lineage: LineLineage;
}

/**
 * Adjustment lines for one finalized period: `rerated` is that period's invoice rated again
 * from all its parts; `billed` the usage/adjustment amounts final invoices already carry.
 */
export function adjustmentsFor(group: LateGroup, rerated: Invoice, billed: readonly BilledLine[]): Adjustment[] {
  const ratedAmount = new Map<string, Decimal>();
  for (const l of rerated.lines) if (l.type === 'usage') ratedAmount.set(lineKey(l.subscriptionId, l.meter), l.amount);
  const billedAmount = new Map<string, Decimal>();
  for (const b of billed) {
    if (b.periodOfUsage !== group.period.label) continue;
    const key = lineKey(b.subscriptionId, b.meter);
    billedAmount.set(key, (billedAmount.get(key) ?? ZERO).plus(new Decimal(b.amount)));
  }
  const out: Adjustment[] = [];
  const ordered = [...group.lines.entries()].sort(([, a], [, b]) =>
    a.sub.serverId < b.sub.serverId ? -1 : a.sub.serverId > b.sub.serverId ? 1 : a.sub.fromMs - b.sub.fromMs || (a.meter < b.meter ? -1 : a.meter > b.meter ? 1 : 0),
  );
  for (const [key, line] of ordered) {
    const amount = (ratedAmount.get(key) ?? ZERO).minus(billedAmount.get(key) ?? ZERO);
    if (amount.isZero()) continue;
    const span = overlap(line.sub, group.period);
    if (!span) continue;
    out.push({
      late: { serverId: line.sub.serverId, meter: line.meter, periodOfUsage: group.period.label, amount },
      subscriptionId: line.sub.id,
      lineage: { subscriptionId: line.sub.id, serverId: line.sub.serverId, meter: line.meter, fromMs: span.startMs, toMs: span.endMs },
    });
  }
  return out;
}
