// Period helpers the invoicing edges need on top of the rating core's billing periods
// (rating/period.ts: calendar months in the catalogue's zone).
import { nextPeriod, periodOf, type BillingPeriod } from '../rating/period.js';

/** Every period overlapping [fromMs, toMs), in order. */
export function periodsOverlapping(fromMs: number, toMs: number, zone: string): BillingPeriod[] {
  const out: BillingPeriod[] = [];
  if (toMs <= fromMs) return out;
  for (let p = periodOf(fromMs, zone); p.startMs < toMs; p = nextPeriod(p, zone)) out.push(p);
  return out;
}

/** "2026-10" → "2026-11". */
export function nextLabel(label: string): string {
  const [y, m] = label.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
