// Where the aggregate role cuts windows (SPEC §3: a sample never straddles a billing period or
// subscription boundary, so every part lies inside one period and one subscription): the
// starts of billing periods (calendar months in the catalogue time zone) and each server's
// subscription from/to instants — the catalogue's, and (`extra`) those of subscriptions in
// PostgreSQL (subscription-feed.ts). Pure function of the catalogue and extra's current answer;
// when extra's answer for a server changes the role tells the aggregator (splitPointsChanged).
import { DateTime } from 'luxon';
import type { Catalog } from '../../catalog/types.js';
import { splitPointsFrom, type SplitPoints } from '../windows/segments.js';

export function catalogSplitPoints(
  catalog: Pick<Catalog, 'timezone' | 'subscriptions'>,
  extra?: (serverId: string) => readonly number[],
): SplitPoints {
  const perServer = new Map<string, number[]>();
  for (const s of catalog.subscriptions) {
    const list = perServer.get(s.serverId) ?? [];
    list.push(s.fromMs);
    if (s.toMs !== undefined) list.push(s.toMs);
    perServer.set(s.serverId, list);
  }
  const subscriptions = splitPointsFrom([], perServer);
  const zone = catalog.timezone;
  return (serverId, startMs, endMs) => {
    const points = [...subscriptions(serverId, startMs, endMs)];
    if (extra) for (const p of extra(serverId)) if (p > startMs && p < endMs) points.push(p);
    // Windows divide a day, so at most one month start falls inside one: the month of its last instant.
    const monthStart = DateTime.fromMillis(endMs - 1, { zone })
      .startOf('month')
      .toMillis();
    if (monthStart > startMs && monthStart < endMs) points.push(monthStart);
    return points;
  };
}
