// Billing periods (SPEC §6): calendar months in the catalogue's time zone. Boundaries are real
// instants, so a month with a DST change has 743 or 745 hours, and "seconds of the period" is
// the elapsed time between them, never 30 × 86400.
import { DateTime } from 'luxon';
import { Decimal } from '../lib/decimal.js';

export interface BillingPeriod {
  /** `YYYY-MM`. */
  label: string;
  /** First instant of the month in the zone, epoch ms (inclusive). */
  startMs: number;
  /** First instant of the next month, epoch ms (exclusive). */
  endMs: number;
}

const LABEL = /^(\d{4})-(0[1-9]|1[0-2])$/;

function monthStarting(year: number, month: number, zone: string): BillingPeriod {
  const start = DateTime.fromObject({ year, month, day: 1 }, { zone });
  if (!start.isValid) throw new RangeError(`cannot place ${year}-${month} in time zone ${zone}: ${start.invalidExplanation ?? ''}`);
  const end = start.plus({ months: 1 });
  return { label: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`, startMs: start.toMillis(), endMs: end.toMillis() };
}

/** The period named `YYYY-MM` in `zone`; throws RangeError on a malformed label. */
export function parsePeriod(label: string, zone: string): BillingPeriod {
  const m = LABEL.exec(label);
  if (!m) throw new RangeError(`period must be YYYY-MM (got ${JSON.stringify(label)})`);
  return monthStarting(Number(m[1]), Number(m[2]), zone);
}

/** The period containing the instant `ms`. */
export function periodOf(ms: number, zone: string): BillingPeriod {
  const t = DateTime.fromMillis(ms, { zone });
  return monthStarting(t.year, t.month, zone);
}

/** The period after `p`. */
export const nextPeriod = (p: BillingPeriod, zone: string): BillingPeriod => periodOf(p.endMs, zone);

/** Elapsed seconds of the period (exact; e.g. 2674800 for a 31-day month that loses an hour). */
export const periodSeconds = (p: BillingPeriod): Decimal => new Decimal(p.endMs - p.startMs).div(1000);

/** RFC 3339 UTC form used in invoices: `2026-10-01T00:00:00Z` (milliseconds only when not zero). */
export const formatInstant = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
