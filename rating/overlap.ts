// The part of a subscription that lies inside a billing period: what base fees are prorated
// by, SLA availability is measured over, and usage is attributed within.
import type { Subscription } from '../catalog/types.js';
import type { BillingPeriod } from './period.js';

export interface Span {
  startMs: number;
  endMs: number;
}

/** [max(from, start), min(to, end)), or undefined when the subscription misses the period. */
export function overlap(sub: Subscription, period: BillingPeriod): Span | undefined {
  const startMs = Math.max(sub.fromMs, period.startMs);
  const endMs = Math.min(sub.toMs ?? Number.POSITIVE_INFINITY, period.endMs);
  return endMs > startMs ? { startMs, endMs } : undefined;
}
