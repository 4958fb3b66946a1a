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
  const monthStartOf = monthStarts(catalog.timezone);
  return (serverId, startMs, endMs) => {
    const points = [...subscriptions(serverId, startMs, endMs)];
    if (extra) for (const p of extra(serverId)) if (p > startMs && p < endMs) points.push(p);
    // Windows divide a day, so at most one month start falls inside one: the month of its last instant.
    const monthStart = monthStartOf(endMs - 1);
    if (monthStart > startMs && monthStart < endMs) points.push(monthStart);
    return points;
  };
}

/**
 * The start of the calendar month (in `zone`) holding an instant. The last month found is
 * remembered as an interval of instants [start, next month's start): windows come in time
 * order, so luxon (≈ 2 % of the aggregate role's CPU when asked per cut) runs about once a month.
 */
export function monthStarts(zone: string): (ms: number) => number {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  const startOf = (ms: number): number => DateTime.fromMillis(ms, { zone }).startOf('month').toMillis();
  return (ms) => {
    if (ms >= from && ms < to) return from;
    const start = startOf(ms);
    // A month has at most 31 days: 32 days after its start lies in the next one.
    const next = startOf(start + 32 * 86_400_000);
    if (start <= ms && ms < next) {
      from = start;
      to = next;
    }
    return start;
  };
}
