// Down intervals and availability from the stored host states: what the rate role (SLA credits,
// SPEC §6.4) and GET /v1/availability read.
import type { Queryable } from '../../invoicing/db/tx.js';
import { formatPlain, roundTo, ZERO } from '../../lib/decimal.js';
import { availability, buildDownIntervals, downIntervalsIn, downSeconds, type DownInterval } from '../intervals.js';
import { hostStatesFor } from './host-states.js';

/**
 * HARD DOWN intervals of `serverIds` that overlap [fromMs, toMs). An interval may start before
 * fromMs (the host was already down); one still open has endMs null and, per SPEC §6.4, runs to
 * the end of whatever range the caller rates. The signature of InvoicingContext.downIntervals.
 */
export async function downIntervalsFor(db: Queryable, serverIds: readonly string[], fromMs: number, toMs: number): Promise<DownInterval[]> {
  const states = await hostStatesFor(db, serverIds, fromMs, toMs);
  // Each row carries the server its host mapped to when it arrived; the fold maps by that.
  const hosts: Record<string, string> = {};
  for (const s of states) hosts[s.host] = s.serverId;
  return buildDownIntervals(states, hosts).filter((i) => i.endMs === null || i.endMs > fromMs);
}

export const PCT_DIGITS = 6;

export interface ServerAvailability {
  /** Down intervals clipped to the ranges and merged (two hosts may map to one server). */
  down: Array<{ startMs: number; endMs: number }>;
  /** Exact decimal strings. */
  downSeconds: string;
  coveredSeconds: string;
  /** Rounded half-up to PCT_DIGITS for display; SLA thresholds compare the exact value. */
  availabilityPct: string;
}

/**
 * Availability of one server over the union of `ranges` (disjoint, sorted): 100 × (1 − down
 * seconds ÷ covered seconds), exact. The ranges are the whole period for finance callers and
 * the customer's subscriptions of the server for customer callers.
 */
export function availabilityOver(intervals: readonly DownInterval[], serverId: string, ranges: ReadonlyArray<{ fromMs: number; toMs: number }>): ServerAvailability {
  const down: Array<{ startMs: number; endMs: number }> = [];
  let downS = ZERO;
  let covered = ZERO;
  for (const r of ranges) {
    down.push(...downIntervalsIn(intervals, serverId, r.fromMs, r.toMs));
    downS = downS.plus(downSeconds(intervals, serverId, r.fromMs, r.toMs));
    covered = covered.plus((r.toMs - r.fromMs) / 1000);
  }
  // One range: the shared function (the SLA credit's own arithmetic). Several: the same
  // formula over their union.
  const only = ranges.length === 1 ? ranges[0] : undefined;
  const pct = only
    ? availability(intervals, serverId, only.fromMs, only.toMs)
    : covered.isZero()
      ? ZERO.plus(100)
      : covered.minus(downS).div(covered).times(100);
  return { down, downSeconds: formatPlain(downS), coveredSeconds: formatPlain(covered), availabilityPct: formatPlain(roundTo(pct, PCT_DIGITS)) };
}
