// `subscriptions:` (SPEC §5): which customer rents which server on which plan, when. One
// server has at most one subscription at any instant, so every sample has at most one owner.
import type { Subscription } from './types.js';
import type { Checker } from './fields.js';
import type { RawValue } from './raw.js';

/** Stable id of a catalogue-file subscription: `<server_id>@<from ISO>`. */
export const subscriptionId = (serverId: string, fromMs: number): string => `${serverId}@${new Date(fromMs).toISOString()}`;

const range = (s: Subscription): string =>
  `${new Date(s.fromMs).toISOString()} to ${s.toMs === undefined ? 'open end' : new Date(s.toMs).toISOString()}`;

export function validateSubscriptions(
  c: Checker,
  raw: RawValue | undefined,
  customers: ReadonlySet<string>,
  plans: ReadonlySet<string>,
  zone: string,
): Subscription[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    c.add('subscriptions', 'must be a list');
    return [];
  }
  const out: { sub: Subscription; index: number }[] = [];
  raw.forEach((r, i) => {
    const path = `subscriptions[${i}]`;
    const m = c.map(r, path);
    if (!m) return;
    c.keys(m, path, ['server_id', 'customer', 'plan', 'from', 'to']);
    const serverId = c.string(m.server_id, `${path}.server_id`);
    const customer = c.string(m.customer, `${path}.customer`);
    if (customer !== undefined && !customers.has(customer)) c.add(`${path}.customer`, `unknown customer ${JSON.stringify(customer)}`);
    const plan = c.string(m.plan, `${path}.plan`);
    if (plan !== undefined && !plans.has(plan)) c.add(`${path}.plan`, `unknown plan ${JSON.stringify(plan)}`);
    const fromMs = c.timestamp(m.from, `${path}.from`, zone);
    const toMs = c.timestamp(m.to, `${path}.to`, zone, false);
    if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
      c.add(`${path}.to`, `must be later than from (${new Date(fromMs).toISOString()})`);
      return;
    }
    if (!serverId || !customer || !plan || fromMs === undefined || (m.to !== undefined && m.to !== null && toMs === undefined)) return;
    const sub: Subscription = { id: subscriptionId(serverId, fromMs), serverId, customer, plan, fromMs };
    if (toMs !== undefined) sub.toMs = toMs;
    out.push({ sub, index: i });
  });

  // Overlaps: per server, in order of `from`; each subscription must end before the next starts.
  const byServer = new Map<string, { sub: Subscription; index: number }[]>();
  for (const e of out) {
    const list = byServer.get(e.sub.serverId);
    if (list) list.push(e);
    else byServer.set(e.sub.serverId, [e]);
  }
  for (const list of byServer.values()) {
    list.sort((a, b) => a.sub.fromMs - b.sub.fromMs || a.index - b.index);
    // `cover` is the earlier subscription reaching furthest: a short one nested inside a long
    // one must not hide the long one from the next.
    let cover = list[0];
    for (const cur of list.slice(1)) {
      if (!cover) break;
      if (cover.sub.toMs === undefined || cur.sub.fromMs < cover.sub.toMs) {
        const [early, late] = cover.index < cur.index ? [cover, cur] : [cur, cover];
        c.add(`subscriptions[${late.index}]`, `overlaps subscriptions[${early.index}] of server ${cur.sub.serverId} (${range(early.sub)})`);
      }
      if (cover.sub.toMs !== undefined && (cur.sub.toMs === undefined || cur.sub.toMs > cover.sub.toMs)) cover = cur;
    }
  }
  return out.map((e) => e.sub);
}
