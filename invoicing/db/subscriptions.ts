// subscriptions table. Overlap is refused by the database (exclusion constraint or trigger,
// migration 020); `isOverlapError` lets callers turn that refusal into a 409.
import type { Subscription } from '../../catalog/types.js';
import type { Queryable } from './tx.js';

interface Row {
  id: string;
  server_id: string;
  customer: string;
  plan: string;
  valid_from: Date;
  valid_to: Date | null;
}

const COLUMNS = 'id, server_id, customer, plan, valid_from, valid_to';

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  serverId: r.server_id,
  customer: r.customer,
  plan: r.plan,
  fromMs: r.valid_from.getTime(),
  ...(r.valid_to ? { toMs: r.valid_to.getTime() } : {}),
});

const ts = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));

export async function getSubscription(db: Queryable, id: string): Promise<Subscription | undefined> {
  const r = await db.query<Row>({ name: 'subscriptions.get', text: `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1`, values: [id] });
  return r.rows[0] ? toSubscription(r.rows[0]) : undefined;
}

/** Filtered list, ordered by server then start (the API's GET). */
export async function listSubscriptions(db: Queryable, filter: { serverId?: string; customer?: string }): Promise<Subscription[]> {
  const r = await db.query<Row>({
    name: 'subscriptions.list',
    text: `SELECT ${COLUMNS} FROM subscriptions
            WHERE ($1::text IS NULL OR server_id = $1) AND ($2::text IS NULL OR customer = $2)
            ORDER BY server_id, valid_from, id`,
    values: [filter.serverId ?? null, filter.customer ?? null],
  });
  return r.rows.map(toSubscription);
}

/** A customer's subscriptions overlapping [fromMs, toMs). */
export async function customerSubscriptionsIn(db: Queryable, customer: string, fromMs: number, toMs: number): Promise<Subscription[]> {
  const r = await db.query<Row>({
    name: 'subscriptions.of_customer_in',
    text: `SELECT ${COLUMNS} FROM subscriptions
            WHERE customer = $1 AND valid_from < $3 AND (valid_to IS NULL OR valid_to > $2)
            ORDER BY server_id, valid_from, id`,
    values: [customer, new Date(fromMs), new Date(toMs)],
  });
  return r.rows.map(toSubscription);
}

/** Every subscription of the given servers (to attribute rollup parts). */
export async function subscriptionsOfServers(db: Queryable, serverIds: readonly string[]): Promise<Subscription[]> {
  const r = await db.query<Row>({
    name: 'subscriptions.of_servers',
    text: `SELECT ${COLUMNS} FROM subscriptions WHERE server_id = ANY ($1::text[]) ORDER BY server_id, valid_from`,
    values: [[...serverIds]],
  });
  return r.rows.map(toSubscription);
}

export async function customerSubscriptions(db: Queryable, customer: string): Promise<Subscription[]> {
  const r = await db.query<Row>({
    name: 'subscriptions.of_customer',
    text: `SELECT ${COLUMNS} FROM subscriptions WHERE customer = $1 ORDER BY server_id, valid_from`,
    values: [customer],
  });
  return r.rows.map(toSubscription);
}

export async function insertSubscription(db: Queryable, s: Subscription, source: 'catalog' | 'api'): Promise<void> {
  await db.query({
    name: 'subscriptions.insert',
    text: `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, valid_to, source) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    values: [s.id, s.serverId, s.customer, s.plan, new Date(s.fromMs), ts(s.toMs), source],
  });
}

/** Seeding: insert when the id is new. True when inserted. */
export async function insertSubscriptionIfMissing(db: Queryable, s: Subscription): Promise<boolean> {
  const r = await db.query({
    name: 'subscriptions.seed',
    text: `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, valid_to, source)
           VALUES ($1, $2, $3, $4, $5, $6, 'catalog') ON CONFLICT (id) DO NOTHING`,
    values: [s.id, s.serverId, s.customer, s.plan, new Date(s.fromMs), ts(s.toMs)],
  });
  return (r.rowCount ?? 0) > 0;
}

export async function setSubscriptionEnd(db: Queryable, id: string, toMs: number | undefined): Promise<void> {
  await db.query({
    name: 'subscriptions.set_end',
    text: 'UPDATE subscriptions SET valid_to = $2, updated_at = now() WHERE id = $1',
    values: [id, ts(toMs)],
  });
}

/** True for the database's refusal of overlapping subscriptions of one server. */
export const isOverlapError = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: string }).code === '23P01';
