// GET /v1/availability?server_id=&period=YYYY-MM: a server's HARD down intervals (from the
// stored Nagios host states) and its availability percent in a billing period of the
// catalogue's time zone, over the part of the period that has passed (`as_of`).
// Finance keys see the whole period. A customer key sees only the time its own customer's
// subscriptions of that server cover; a server it never rented in the period is a 403, the
// same answer whether the server exists or not, so nothing leaks.
import { Hono } from 'hono';
import type pg from 'pg';
import { confinedCustomer, type AuthEnv } from '../auth/index.js';
import { customerServerRanges, type Range } from '../access/scope.js';
import { availabilityOver, downIntervalsFor } from '../../nagios/store/index.js';
import { formatInstant, parsePeriod } from '../../rating/period.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface AvailabilityRouteOptions {
  pool: pg.Pool;
  /** The catalogue's IANA zone: billing periods are its calendar months. */
  timezone: string;
  now?: () => number;
}

export function availabilityRoute(opts: AvailabilityRouteOptions): Hono<AuthEnv> {
  const now = opts.now ?? Date.now;
  const app = new Hono<AuthEnv>();
  app.get('/v1/availability', async (c) => {
    // The route's spec (api/openapi/routes.ts) validates in front of this handler; checked
    // again so the route is safe to mount on its own.
    const serverId = c.req.query('server_id') ?? '';
    const label = c.req.query('period') ?? '';
    if (serverId === '' || !PERIOD.test(label)) return c.json({ error: 'server_id and period (YYYY-MM) are required' }, 400);
    const period = parsePeriod(label, opts.timezone);
    const asOfMs = Math.min(period.endMs, Math.max(period.startMs, now()));
    const confined = confinedCustomer(c);
    let ranges: Range[] = [{ fromMs: period.startMs, toMs: asOfMs }];
    if (confined !== undefined) {
      ranges = await customerServerRanges(opts.pool, confined, serverId, period.startMs, asOfMs);
      if (ranges.length === 0) {
        // The server id is not echoed: the answer is the same for any server not rented.
        return c.json({ error: `this key may read only the availability of servers its customer rents in ${period.label}` }, 403);
      }
    }
    const intervals = ranges.length > 0 ? await downIntervalsFor(opts.pool, [serverId], period.startMs, asOfMs) : [];
    const a = availabilityOver(intervals, serverId, ranges.filter((r) => r.toMs > r.fromMs));
    return c.json({
      server_id: serverId,
      period: { label: period.label, start: formatInstant(period.startMs), end: formatInstant(period.endMs) },
      as_of: formatInstant(asOfMs),
      covered: ranges.map((r) => ({ from: formatInstant(r.fromMs), to: formatInstant(r.toMs) })),
      down_intervals: a.down.map((d) => ({ start: formatInstant(d.startMs), end: formatInstant(d.endMs) })),
      down_seconds: a.downSeconds,
      covered_seconds: a.coveredSeconds,
      availability_pct: a.availabilityPct,
    });
  });
  return app;
}
