// Drafts that time alone brings (SPEC §4: a draft per customer with a subscription in an open
// period): a new billing period begins, or a subscription's `from` arrives, with no usage and
// no provisioning call to trigger a recompute. Instead of re-syncing every customer's drafts
// on a timer, the rate role wakes when the next of those instants is due and recomputes only
// the customers it concerns (usage, provisioning and Nagios events recompute their own).
import type pg from 'pg';
import { periodOf } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { recomputeCustomer } from './drafts.js';
import { periodsOverlapping } from './period.js';

/** Longest sleep: a subscription added later with a nearer `from` is seen within this. */
export const MAX_SLEEP_MS = 5 * 60_000;

/**
 * Customers whose drafts (sinceMs, nowMs] made due: a subscription starting in it, or any
 * subscription overlapping a period that began in it.
 */
export async function customersDue(pool: pg.Pool, ctx: InvoicingContext, sinceMs: number, nowMs: number): Promise<string[]> {
  const current = periodOf(nowMs, ctx.catalog.timezone);
  const periodBegan = current.startMs > sinceMs && current.startMs <= nowMs;
  const r = await pool.query<{ customer: string }>({
    name: 'subscriptions.due',
    text: `SELECT DISTINCT customer FROM subscriptions
            WHERE (valid_from > $1 AND valid_from <= $2)
               OR ($3 AND valid_from < $5 AND (valid_to IS NULL OR valid_to > $4))
            ORDER BY customer`,
    values: [new Date(sinceMs), new Date(nowMs), periodBegan, new Date(current.startMs), new Date(current.endMs)],
  });
  return r.rows.map((x) => x.customer);
}

/** When the next draft becomes due after `nowMs`: the next period start or subscription start. */
export async function nextDueMs(pool: pg.Pool, ctx: InvoicingContext, nowMs: number): Promise<number> {
  const r = await pool.query<{ next: Date | null }>({
    name: 'subscriptions.next_from',
    text: 'SELECT min(valid_from) AS next FROM subscriptions WHERE valid_from > $1',
    values: [new Date(nowMs)],
  });
  const nextPeriodStart = periodOf(nowMs, ctx.catalog.timezone).endMs;
  return Math.min(nextPeriodStart, r.rows[0]?.next?.getTime() ?? Number.POSITIVE_INFINITY);
}

/**
 * Recomputes the drafts (sinceMs, nowMs] made due; `onFailure` gets a customer whose drafts
 * cannot be rated (the others go on). Returns the customers recomputed.
 */
export async function recomputeDue(
  pool: pg.Pool,
  ctx: InvoicingContext,
  sinceMs: number,
  nowMs: number,
  onFailure: (customer: string, err: unknown) => void,
  onSuccess?: (customer: string) => void,
): Promise<string[]> {
  const labels = periodsOverlapping(sinceMs + 1, nowMs + 1, ctx.catalog.timezone).map((p) => p.label);
  const customers = await customersDue(pool, ctx, sinceMs, nowMs);
  for (const c of customers) {
    try {
      await recomputeCustomer(pool, ctx, c, labels);
      onSuccess?.(c);
    } catch (err) {
      onFailure(c, err);
    }
  }
  return customers;
}

/** Milliseconds to sleep from `nowMs` until `dueMs` (at least 1 s, at most MAX_SLEEP_MS). */
export const sleepFor = (nowMs: number, dueMs: number): number => Math.max(1000, Math.min(MAX_SLEEP_MS, dueMs - nowMs));
