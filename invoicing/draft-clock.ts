// Drafts that time alone brings (SPEC §4: a draft per customer with a subscription in an open
// period): a new billing period begins, or a subscription's `from` arrives, with no usage and
// no provisioning call to trigger a recompute; and Nagios host states stored by a process
// without the catalogue (nagios/store/recompute.ts recomputes at once where it has one).
// Instead of re-syncing every customer's drafts on a timer, the rate role wakes when the next
// of those is due (at least every MAX_SLEEP_MS) and recomputes only the customers concerned.
import type pg from 'pg';
import { periodOf } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { customersAffectedByStates } from '../nagios/store/affected.js';
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

/** A state's commit may come a little after its received_at: look back this far again. */
const STATES_LOOKBACK = "interval '1 minute'";

/**
 * Servers with host states received after `since` (minus the look-back; undefined = none yet),
 * each with its earliest state, and the newest received_at seen (the next `since`).
 */
export async function hostStatesSince(pool: pg.Pool, since: Date | undefined): Promise<{ changed: { serverId: string; fromMs: number }[]; upTo: Date | undefined }> {
  const r = await pool.query<{ server_id: string | null; from_ts: Date | null; up_to: Date | null }>({
    name: 'nagios_host_states.since',
    text: `SELECT server_id, min(ts) AS from_ts, max(max(received_at)) OVER () AS up_to FROM nagios_host_states
            WHERE $1::timestamptz IS NULL OR received_at > $1::timestamptz - ${STATES_LOOKBACK} GROUP BY server_id`,
    values: [since ?? null],
  });
  const upTo = r.rows[0]?.up_to ?? since;
  return { changed: r.rows.flatMap((x) => (x.server_id && x.from_ts ? [{ serverId: x.server_id, fromMs: x.from_ts.getTime() }] : [])), ...(upTo ? { upTo } : { upTo: undefined }) };
}

/** The watermarks of what has been recomputed: time (ctx.now) and host states (received_at). */
export interface DueMarks {
  sinceMs: number;
  statesSince: Date | undefined;
}

/** Where a clock starting now begins: everything before is the start-up sync's. */
export async function startMarks(pool: pg.Pool, ctx: InvoicingContext): Promise<DueMarks> {
  return { sinceMs: ctx.now(), statesSince: (await hostStatesSince(pool, undefined)).upTo };
}

/**
 * Recomputes the drafts due since `marks` (time up to `nowMs`; host states when the context
 * rates SLA credits); `onFailure` gets a customer whose drafts cannot be rated (the others go
 * on) and may throw to stop (a transient error: marks are not advanced). Returns the customers
 * recomputed and the new marks.
 */
export async function recomputeDue(
  pool: pg.Pool,
  ctx: InvoicingContext,
  marks: DueMarks,
  nowMs: number,
  onFailure: (customer: string, err: unknown) => void,
  onSuccess?: (customer: string) => void,
): Promise<{ customers: string[]; marks: DueMarks }> {
  const work = new Map<string, Set<string>>();
  const add = (customer: string, labels: Iterable<string>) => {
    const set = work.get(customer) ?? new Set<string>();
    for (const l of labels) set.add(l);
    work.set(customer, set);
  };
  const labels = periodsOverlapping(marks.sinceMs + 1, nowMs + 1, ctx.catalog.timezone).map((p) => p.label);
  for (const c of await customersDue(pool, ctx, marks.sinceMs, nowMs)) add(c, labels);
  let statesSince = marks.statesSince;
  if (ctx.downIntervals) {
    const states = await hostStatesSince(pool, marks.statesSince);
    for (const [c, ls] of await customersAffectedByStates(pool, states.changed, ctx.catalog.timezone, nowMs)) add(c, ls);
    statesSince = states.upTo;
  }
  const customers = [...work.keys()].sort();
  for (const c of customers) {
    try {
      await recomputeCustomer(pool, ctx, c, work.get(c) ?? []);
      onSuccess?.(c);
    } catch (err) {
      onFailure(c, err);
    }
  }
  return { customers, marks: { sinceMs: nowMs, statesSince } };
}

/** Milliseconds to sleep from `nowMs` until `dueMs` (at least 1 s, at most MAX_SLEEP_MS). */
export const sleepFor = (nowMs: number, dueMs: number): number => Math.max(1000, Math.min(MAX_SLEEP_MS, dueMs - nowMs));
