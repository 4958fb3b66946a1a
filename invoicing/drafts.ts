// Keeping drafts current: recompute (never increment) a customer's draft for a period from
// everything the database holds. Every writer takes the customer's lock in its transaction, so
// the rate role, the API and finalization never interleave on one customer's invoices.
import type pg from 'pg';
import type { Subscription } from '../catalog/types.js';
import { SubscriptionIndex } from '../rating/attribution.js';
import { periodOf } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { listCustomers } from './db/customers.js';
import { customerInvoiceHeads, deleteDraft, writeDraft, type InvoiceHead } from './db/invoices.js';
import type { StoredPart } from './db/parts.js';
import { customerSubscriptions, subscriptionsOfServers } from './db/subscriptions.js';
import { lockCustomer, withTransaction, type Queryable } from './db/tx.js';
import { periodsOverlapping } from './period.js';
import { adjustmentTarget, rateDraft } from './rate-draft.js';
import type { RatedInvoice } from './types.js';
import { checkAlerts } from './alert-check.js';

export type Outcome = 'written' | 'unchanged' | 'deleted' | 'none' | 'final';

export interface Recomputed {
  outcome: Outcome;
  head?: InvoiceHead;
  rated?: RatedInvoice;
}

/** Recompute one draft; the caller holds the customer's lock in `db`'s transaction. */
export async function recomputeLocked(db: Queryable, ctx: InvoicingContext, customer: string, label: string): Promise<Recomputed> {
  const heads = await customerInvoiceHeads(db, customer);
  const head = heads.find((h) => h.period === label);
  if (head?.status === 'final') return { outcome: 'final', head };
  const rated = await rateDraft(db, ctx, customer, label, heads);
  if (!rated) {
    if (!head) return { outcome: 'none' };
    await deleteDraft(db, head.id);
    return { outcome: 'deleted', head };
  }
  const written = await writeDraft(db, rated, head);
  // SPEC §13: usage alerts the draft reached, in this transaction. Unchanged drafts too: an
  // alert just added (PUT /v1/customers/:id) may already be reached.
  await checkAlerts(db, rated);
  return { outcome: written ? 'written' : 'unchanged', ...(head ? { head } : {}), rated };
}

/** Where usage of `label` is billed: its own draft, or the adjustment target once it is final. */
function billingPeriodFor(heads: readonly InvoiceHead[], label: string): string | undefined {
  const head = heads.find((h) => h.period === label);
  return head?.status === 'final' ? adjustmentTarget(heads) : label;
}

/** Recompute the given periods' drafts of one customer in one transaction (finalized → next). */
export async function recomputeCustomer(pool: pg.Pool, ctx: InvoicingContext, customer: string, labels: Iterable<string>): Promise<Outcome[]> {
  return withTransaction(pool, async (client) => {
    await lockCustomer(client, customer);
    const heads = await customerInvoiceHeads(client, customer);
    const targets = new Set<string>();
    for (const l of labels) {
      const t = billingPeriodFor(heads, l);
      if (t !== undefined) targets.add(t);
    }
    const outcomes: Outcome[] = [];
    for (const t of [...targets].sort()) outcomes.push((await recomputeLocked(client, ctx, customer, t)).outcome);
    return outcomes;
  });
}

/** What a set of parts changes for one customer: the usage periods, and which of the parts. */
export interface Affected<P> {
  labels: Set<string>;
  parts: P[];
}

/** (customer → usage periods and parts) touched by these parts, by the subscriptions in the database. */
export async function affectedByParts<P extends Pick<StoredPart, 'serverId' | 'windowStartMs'>>(
  db: Queryable,
  ctx: InvoicingContext,
  parts: readonly P[],
): Promise<Map<string, Affected<P>>> {
  const out = new Map<string, Affected<P>>();
  if (parts.length === 0) return out;
  const index = new SubscriptionIndex(await subscriptionsOfServers(db, [...new Set(parts.map((p) => p.serverId))]));
  for (const p of parts) {
    const sub = index.find(p.serverId, p.windowStartMs);
    if (!sub) continue; // unattributed: no invoice changes (GET /v1/rollups still shows it)
    const label = periodOf(p.windowStartMs, ctx.catalog.timezone).label;
    const entry = out.get(sub.customer) ?? { labels: new Set<string>(), parts: [] };
    entry.labels.add(label);
    entry.parts.push(p);
    out.set(sub.customer, entry);
  }
  return out;
}

/** The periods a customer should have a draft for (subscriptions up to now) or already has one. */
function periodsToSync(ctx: InvoicingContext, subs: readonly Subscription[], heads: readonly InvoiceHead[]): Set<string> {
  const labels = new Set<string>();
  const now = ctx.now();
  for (const s of subs) {
    const end = Math.min(s.toMs ?? Number.POSITIVE_INFINITY, now);
    for (const p of periodsOverlapping(s.fromMs, end, ctx.catalog.timezone)) labels.add(p.label);
  }
  for (const h of heads) if (h.status === 'draft') labels.add(h.period);
  const target = adjustmentTarget(heads);
  if (target !== undefined) labels.add(target);
  for (const h of heads) if (h.status === 'final') labels.delete(h.period);
  return labels;
}

/** Brings every draft of one customer up to date; the caller holds the customer's lock. */
export async function syncCustomerLocked(db: Queryable, ctx: InvoicingContext, customer: string): Promise<Outcome[]> {
  const heads = await customerInvoiceHeads(db, customer);
  const labels = periodsToSync(ctx, await customerSubscriptions(db, customer), heads);
  const outcomes: Outcome[] = [];
  for (const l of [...labels].sort()) outcomes.push((await recomputeLocked(db, ctx, customer, l)).outcome);
  return outcomes;
}

/** Brings every draft of one customer up to date (after provisioning, at start-up). */
export async function syncCustomer(pool: pg.Pool, ctx: InvoicingContext, customer: string): Promise<Outcome[]> {
  return withTransaction(pool, async (client) => {
    await lockCustomer(client, customer);
    return syncCustomerLocked(client, ctx, customer);
  });
}

/**
 * Brings every customer's drafts up to date. With `onFailure`, a customer whose drafts cannot
 * be rated (e.g. a plan in use missing from the catalogue) is reported there and skipped, so
 * one customer never keeps the others' drafts stale; without it, the first failure throws.
 */
export async function syncAll(
  pool: pg.Pool,
  ctx: InvoicingContext,
  onFailure?: (customer: string, err: unknown) => void,
  onSuccess?: (customer: string) => void,
): Promise<number> {
  let written = 0;
  for (const c of await listCustomers(pool)) {
    try {
      written += (await syncCustomer(pool, ctx, c.id)).filter((o) => o === 'written' || o === 'deleted').length;
      onSuccess?.(c.id);
    } catch (err) {
      if (!onFailure) throw err;
      onFailure(c.id, err);
    }
  }
  return written;
}
