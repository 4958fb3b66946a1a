// Subscription boundaries from PostgreSQL for the aggregate role (SPEC §6.1: usage is
// attributed to the subscription active at the sample's ts, so windows are cut at every
// subscription's from/to — API-created ones too, not only the catalogue's). Loaded once before
// the role consumes, then kept current: a trigger (migration 085) notifies the server id of
// every change on `meterline_subscriptions`; this feed reloads that server's boundaries and
// tells the role, which forgets the server's cached window cuts. On (re)connecting the feed
// reloads everything (changes made while nobody listened were not heard).
import pg from 'pg';
import type { Logger } from '../../observability/log.js';

export const SUBSCRIPTION_CHANNEL = 'meterline_subscriptions';

export interface SubscriptionFeed {
  /** Boundaries (from/to instants, ms) of a server's subscriptions in the database. */
  points(serverId: string): readonly number[];
  /** True while changes are being delivered. */
  live(): boolean;
  /** Resolves after the first complete load. */
  ready: Promise<void>;
  close(): Promise<void>;
}

type Row = { server_id: string; f: string; t: string | null };

const SELECT = `SELECT server_id, (extract(epoch FROM valid_from) * 1000)::bigint::text AS f,
                       (extract(epoch FROM valid_to) * 1000)::bigint::text AS t FROM subscriptions`;

export function subscriptionFeed(pool: pg.Pool, log: Logger, onChange: (serverId: string) => void, retryMs = 1000): SubscriptionFeed {
  const byServer = new Map<string, number[]>();
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));

  const group = (rows: readonly Row[]): Map<string, number[]> => {
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const list = out.get(r.server_id) ?? [];
      list.push(Number(r.f));
      if (r.t !== null) list.push(Number(r.t));
      out.set(r.server_id, list);
    }
    return out;
  };

  const reload = async (c: pg.Client, serverId?: string): Promise<void> => {
    const { rows } = serverId === undefined ? await c.query<Row>(SELECT) : await c.query<Row>(`${SELECT} WHERE server_id = $1`, [serverId]);
    const fresh = group(rows);
    const changed = serverId === undefined ? new Set([...byServer.keys(), ...fresh.keys()]) : new Set([serverId]);
    for (const id of changed) {
      const next = fresh.get(id);
      if (next === undefined) byServer.delete(id);
      else byServer.set(id, next);
      onChange(id);
    }
  };

  const drop = (c: pg.Client, err?: Error): void => {
    if (client !== c) return;
    client = undefined;
    live = false;
    c.end().catch(() => undefined);
    if (closed) return;
    log.warn({ err: err?.message }, 'aggregate: subscription feed dropped; reconnecting');
    setTimeout(() => void connect(), retryMs).unref();
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    // Its own session: LISTEN outlives a query, which a pooled client does not.
    const c = new pg.Client({ ...pool.options, application_name: 'meterline-aggregate-subscriptions' });
    client = c;
    c.on('error', (err) => drop(c, err));
    c.on('end', () => drop(c));
    // Notifications are handled one after another, so a reload never overtakes a newer one.
    let chain = Promise.resolve();
    c.on('notification', (m) => {
      if (m.channel !== SUBSCRIPTION_CHANNEL || !m.payload) return;
      const id = m.payload;
      chain = chain.then(() => reload(c, id)).catch((err: Error) => drop(c, err));
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${SUBSCRIPTION_CHANNEL}`);
      await reload(c);
    } catch (err) {
      drop(c, err as Error);
      return;
    }
    live = true;
    markReady();
  };
  void connect();

  return {
    points: (serverId) => byServer.get(serverId) ?? [],
    live: () => live,
    ready,
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      live = false;
      await c?.end().catch(() => undefined);
    },
  };
}
