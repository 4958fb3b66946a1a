// The fleet `bench rate-role` rates: `bench rate`'s catalogue (rating/bench.ts: SPEC §5's plans,
// servers spread over 100 customers, three meters) and the rollup parts those servers' meters
// emit — deterministic values, so two runs (incremental, full) rate the same invoices.
import type { RollupPart } from '../pipeline/aggregation/rollup.js';

export const METERS = ['bandwidth_out_gb', 'ssd_extra_gb', 'ip_hours'] as const;

/** As rating/bench.ts names them. */
export const serverId = (s: number): string => `srv-${String(s).padStart(6, '0')}`;

/** Server `s`'s part of meter index `m` over [startMs, startMs + lengthMs), one sample a minute. */
export function ratePart(s: number, m: number, startMs: number, lengthMs: number, tag: string): RollupPart {
  const meter = METERS[m] as (typeof METERS)[number];
  const minutes = lengthMs / 60_000;
  const v = ((s * 7 + startMs / 60_000) % 97) + 1;
  const sum =
    meter === 'bandwidth_out_gb'
      ? `${v * minutes}.000000001` // GB sent
      : meter === 'ssd_extra_gb'
        ? String(v * 60 * minutes) // v GB for every second: GB × seconds
        : String(minutes / 60); // one IP for the whole window: IP-hours
  return { partId: `bench:${tag}:${s}:${meter}`, serverId: serverId(s), meter, windowStartMs: startMs, windowEndMs: startMs + lengthMs, correction: false, state: { count: minutes, sum } };
}
