// What a customer key may see of a server: the time its own customer's subscriptions cover.
// Servers change hands (returned, rented again), so "is this my server" is a question about a
// time range, answered from the subscriptions table, never from a request parameter.
import type { Queryable } from '../../invoicing/db/tx.js';

export interface Range {
  fromMs: number;
  toMs: number;
}

/** The customer's subscriptions of `serverId` clipped to [fromMs, toMs), merged, sorted. */
export async function customerServerRanges(db: Queryable, customer: string, serverId: string, fromMs: number, toMs: number): Promise<Range[]> {
  const { rows } = await db.query<{ from_ms: string; to_ms: string }>({
    name: 'access_customer_server_ranges',
    text: `SELECT (extract(epoch FROM greatest(valid_from, $3)) * 1000)::bigint AS from_ms,
                  (extract(epoch FROM least(coalesce(valid_to, $4), $4)) * 1000)::bigint AS to_ms
             FROM subscriptions
            WHERE customer = $1 AND server_id = $2
              AND valid_from < $4 AND (valid_to IS NULL OR valid_to > $3)
            ORDER BY valid_from`,
    values: [customer, serverId, new Date(fromMs), new Date(toMs)],
  });
  const merged: Range[] = [];
  for (const r of rows) {
    const range = { fromMs: Number(r.from_ms), toMs: Number(r.to_ms) };
    if (range.toMs <= range.fromMs) continue;
    const last = merged[merged.length - 1];
    if (last && range.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, range.toMs);
    else merged.push(range);
  }
  return merged;
}
