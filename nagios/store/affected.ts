// Which draft invoices new host states can change: every customer with a subscription of a
// changed server from the earliest new state on, for each billing period from that state's
// period to now. The SLA credit of those drafts is recomputed (finalized periods stay as they
// are: recomputeCustomer moves nothing into a final invoice's lines).
import type { Queryable } from '../../invoicing/db/tx.js';
import { periodsOverlapping } from '../../invoicing/period.js';
import type { StoredStates } from './host-states.js';

export async function customersAffectedByStates(
  db: Queryable,
  changed: StoredStates['changed'],
  zone: string,
  nowMs: number,
): Promise<Map<string, string[]>> {
  const out = new Map<string, Set<string>>();
  for (const { serverId, fromMs } of changed) {
    const { rows } = await db.query<{ customer: string; from_ms: string; to_ms: string | null }>({
      name: 'nagios_affected_subscriptions',
      text: `SELECT customer, (extract(epoch FROM valid_from) * 1000)::bigint AS from_ms,
                    (extract(epoch FROM valid_to) * 1000)::bigint AS to_ms
               FROM subscriptions WHERE server_id = $1 AND (valid_to IS NULL OR valid_to > $2)`,
      values: [serverId, new Date(fromMs)],
    });
    for (const r of rows) {
      const from = Math.max(fromMs, Number(r.from_ms));
      // An open DOWN runs on: every period of the subscription from the state up to now.
      const end = r.to_ms === null ? nowMs : Math.min(nowMs, Number(r.to_ms));
      const labels = periodsOverlapping(from, Math.max(end, from + 1), zone).map((p) => p.label);
      const set = out.get(r.customer) ?? new Set<string>();
      for (const l of labels) set.add(l);
      out.set(r.customer, set);
    }
  }
  return new Map([...out].map(([c, s]) => [c, [...s].sort()]));
}
