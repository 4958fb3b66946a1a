// One customer's invoice for one period, rated from what the database holds: subscriptions,
// the stored rollup parts, the contract, late usage of finalized periods. Runs inside the
// caller's transaction with the customer's lock held; reads only, the caller writes.
import type { Catalog, Subscription } from '../catalog/types.js';
import { rateInvoice } from '../rating/invoice.js';
import type { Invoice } from '../rating/invoice-types.js';
import { lineDetail, lineToJson } from '../rating/invoice-json.js';
import { formatAmount } from '../rating/format.js';
import { overlap } from '../rating/overlap.js';
import { parsePeriod, type BillingPeriod } from '../rating/period.js';
import { MeterlineError } from '../lib/errors.js';
import { ZERO, type Decimal } from '../lib/decimal.js';
import { adjustmentsFor, groupLateParts, type Adjustment } from './adjustments.js';
import type { InvoicingContext } from './context.js';
import { customerFromRow } from './customers.js';
import { getCustomer, type CustomerRow } from './db/customers.js';
import { finalUsageLines, type InvoiceHead } from './db/invoices.js';
import { partsOfServers, unbilledPartsBefore } from './db/parts.js';
import { customerSubscriptions, customerSubscriptionsIn } from './db/subscriptions.js';
import type { Queryable } from './db/tx.js';
import { nextLabel } from './period.js';
import type { LineJson, RatedInvoice, RatedLine } from './types.js';
import { attributeParts } from './usage.js';
import type { RatedPart } from './part-cache.js';
import { loadStates } from './usage-states.js';

const servers = (subs: readonly Subscription[]): string[] => [...new Set(subs.map((s) => s.serverId))];

/** The stored parts of the subscriptions' servers in the period (merged when cached or kept as state). */
async function loadParts(db: Queryable, ctx: InvoicingContext, subs: readonly Subscription[], period: BillingPeriod): Promise<RatedPart[]> {
  if (ctx.usageStates) return loadStates(db, ctx.catalog.timezone, subs, period);
  if (!ctx.partCache) return partsOfServers(db, servers(subs), period.startMs, period.endMs);
  const boundaries = new Map<string, number[]>();
  for (const s of subs) {
    const list = boundaries.get(s.serverId) ?? [];
    list.push(s.fromMs, ...(s.toMs === undefined ? [] : [s.toMs]));
    boundaries.set(s.serverId, list);
  }
  return ctx.partCache.load(db, servers(subs), period.startMs, period.endMs, (server) => boundaries.get(server) ?? []);
}

/** Usage per meter summed over the subscriptions (every meter with usage, priced or not). */
function meterTotals(usage: ReadonlyMap<string, ReadonlyMap<string, Decimal>>): Record<string, string> {
  const sums = new Map<string, Decimal>();
  for (const meters of usage.values()) for (const [m, q] of meters) sums.set(m, (sums.get(m) ?? ZERO).plus(q));
  return Object.fromEntries([...sums].map(([m, q]) => [m, q.toFixed()]));
}

/** The catalogue as the rating core sees it for one customer: the database's customer. */
const catalogFor = (catalog: Catalog, row: CustomerRow): Catalog => ({
  ...catalog,
  customers: { [row.id]: customerFromRow(catalog, row) },
});

/** Adjustments go on the period after the customer's latest final invoice, and only there. */
export function adjustmentTarget(heads: readonly InvoiceHead[]): string | undefined {
  const finals = heads.filter((h) => h.status === 'final').map((h) => h.period).sort();
  const latest = finals.at(-1);
  return latest === undefined ? undefined : nextLabel(latest);
}

async function rateUsageOnly(db: Queryable, ctx: InvoicingContext, catalog: Catalog, customer: string, period: BillingPeriod): Promise<Invoice> {
  const subs = await customerSubscriptionsIn(db, customer, period.startMs, period.endMs);
  const parts = await loadParts(db, ctx, subs, period);
  const { usage } = attributeParts(catalog, period, subs, parts);
  return rateInvoice({ catalog, customer, period, subscriptions: subs, usage });
}

async function lateAdjustments(
  db: Queryable,
  ctx: InvoicingContext,
  catalog: Catalog,
  customer: string,
  target: BillingPeriod,
  heads: readonly InvoiceHead[],
): Promise<{ adjustments: Adjustment[]; partIds: string[] }> {
  const finals = new Set(heads.filter((h) => h.status === 'final').map((h) => h.period));
  const subs = await customerSubscriptions(db, customer);
  const unbilled = await unbilledPartsBefore(db, servers(subs), target.startMs);
  const { groups, partIds } = groupLateParts(unbilled, subs, finals, catalog.timezone);
  if (groups.length === 0) return { adjustments: [], partIds };
  const billed = await finalUsageLines(db, customer);
  const adjustments: Adjustment[] = [];
  for (const g of groups) adjustments.push(...adjustmentsFor(g, await rateUsageOnly(db, ctx, catalog, customer, g.period), billed));
  return { adjustments, partIds };
}

/**
 * Rates (customer, label) from the database. Undefined when there is nothing to bill: no
 * subscription in the period, no usage, no adjustment (an existing draft should then go).
 */
export async function rateDraft(
  db: Queryable,
  ctx: InvoicingContext,
  customerId: string,
  label: string,
  heads: readonly InvoiceHead[],
): Promise<RatedInvoice | undefined> {
  const row = await getCustomer(db, customerId);
  if (!row) return undefined;
  const catalog = catalogFor(ctx.catalog, row);
  const period = parsePeriod(label, catalog.timezone);
  const subs = await customerSubscriptionsIn(db, customerId, period.startMs, period.endMs);
  // The rating core skips a subscription whose plan it does not know; here that would bill a
  // server nothing without a word, so a catalogue that lost a plan in use stops rating loudly.
  const orphan = subs.find((s) => !catalog.plans[s.plan]);
  if (orphan) {
    throw new MeterlineError(
      'config',
      `subscription ${orphan.id} (customer ${customerId}) is on plan ${JSON.stringify(orphan.plan)}, which catalogue ${catalog.contentHash.slice(0, 12)} does not have`,
    );
  }
  const parts = await loadParts(db, ctx, subs, period);
  const attributed = attributeParts(catalog, period, subs, parts);
  const late = adjustmentTarget(heads) === label ? await lateAdjustments(db, ctx, catalog, customerId, period, heads) : { adjustments: [], partIds: [] };
  if (subs.length === 0 && attributed.partIds.length === 0 && late.adjustments.length === 0) return undefined;

  const down = ctx.downIntervals && subs.length > 0 ? await ctx.downIntervals(db, servers(subs), period.startMs, period.endMs) : [];
  const invoice = rateInvoice({
    catalog,
    customer: customerId,
    period,
    subscriptions: subs,
    usage: attributed.usage,
    down,
    adjustments: late.adjustments.map((a) => a.late),
  });

  const subsById = new Map(subs.map((s) => [s.id, s]));
  let adjustmentIndex = 0;
  const lines: RatedLine[] = invoice.lines.map((l) => {
    const json = lineToJson(l, invoice.minorDigits) as unknown as LineJson;
    const detail = lineDetail(l) as Record<string, unknown>;
    if (l.type === 'adjustment') {
      // rateInvoice keeps the adjustments in the order given, after the subscription lines.
      const a = late.adjustments[adjustmentIndex++]!;
      return { json, detail, subscriptionId: a.subscriptionId, lineage: a.lineage };
    }
    if (l.type === 'discount' || l.type === 'minimum_commit' || l.type === 'tax') return { json, detail };
    const sub = subsById.get(l.subscriptionId);
    const span = sub ? overlap(sub, period) : undefined;
    if (l.type !== 'usage' || !span) return { json, detail, subscriptionId: l.subscriptionId };
    return {
      json,
      detail,
      subscriptionId: l.subscriptionId,
      lineage: { subscriptionId: l.subscriptionId, serverId: l.serverId, meter: l.meter, fromMs: span.startMs, toMs: span.endMs },
    };
  });
  return {
    meterQuantities: meterTotals(attributed.usage),
    customer: customerId,
    period: label,
    periodStartMs: period.startMs,
    periodEndMs: period.endMs,
    currency: invoice.currency,
    lines,
    subtotal: formatAmount(invoice.subtotal, invoice.minorDigits),
    totalExcludingTax: formatAmount(invoice.totalExcludingTax, invoice.minorDigits),
    taxTotal: formatAmount(invoice.taxTotal, invoice.minorDigits),
    total: formatAmount(invoice.total, invoice.minorDigits),
    catalogHash: ctx.catalog.contentHash,
    partIds: [...attributed.partIds, ...late.partIds],
  };
}
