// Provisioning (SPEC §10): customers and subscriptions created and ended over HTTP by the
// provisioning system, validated by the same catalogue validators as the file, and the
// customer's drafts recomputed in the same transaction, so the draft follows every change.
// A plan change is one subscription ended and another started at the same instant.
import type pg from 'pg';
import type { Subscription } from '../catalog/types.js';
import { Checker, isMapValue } from '../catalog/fields.js';
import { readRaw, type RawValue } from '../catalog/raw.js';
import { validateSubscriptions } from '../catalog/validate-subscriptions.js';
import { MeterlineError, ValidationError, type Problem } from '../lib/errors.js';
import { formatInstant } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { customerRow, validateCustomerEntry } from './customers.js';
import { getCustomer, putCustomer } from './db/customers.js';
import { customerInvoiceHeads } from './db/invoices.js';
import { getSubscription, insertSubscription, isOverlapError, listSubscriptions, setSubscriptionEnd } from './db/subscriptions.js';
import { lockCustomer, withTransaction, type Queryable } from './db/tx.js';
import { syncCustomerLocked } from './drafts.js';
import { putCustomerAlerts } from './db/alerts.js';
import { alertJson } from '../catalog/validate-alerts.js';

export interface SubscriptionJson {
  id: string;
  server_id: string;
  customer: string;
  plan: string;
  from: string;
  to: string | null;
}

/** A customer as PUT returns it (catalogue spelling). */
export interface CustomerJson {
  id: string;
  currency: string;
  contract: unknown;
  billing?: unknown;
  tax?: string;
  alerts?: Record<string, string>[];
}

export const subscriptionJson = (s: Subscription): SubscriptionJson => ({
  id: s.id,
  server_id: s.serverId,
  customer: s.customer,
  plan: s.plan,
  from: formatInstant(s.fromMs),
  to: s.toMs === undefined ? null : formatInstant(s.toMs),
});

/** A JSON request body, read keeping every number's source text (prices must stay exact). */
function parseBody(text: string): RawValue {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new ValidationError('request body', [{ path: '(body)', message: `not valid JSON (${(err as Error).message})` }]);
  }
  const raw = readRaw(text);
  if (!raw.ok) throw new ValidationError('request body', raw.problems);
  return raw.value;
}

const renamed = (problems: readonly Problem[], prefix: string): Problem[] =>
  problems.map((p) => ({ path: p.path.startsWith(`${prefix}.`) ? p.path.slice(prefix.length + 1) : p.path === prefix ? '(body)' : p.path, message: p.message }));

/** Refuses a change of [fromMs, toMs) that reaches into a period finalized for the customer. */
async function refuseFinalized(db: Queryable, customer: string, fromMs: number, toMs: number | undefined, what: string): Promise<void> {
  const heads = await customerInvoiceHeads(db, customer);
  const hit = heads.find((h) => h.status === 'final' && h.periodEndMs > fromMs && (toMs === undefined || h.periodStartMs < toMs));
  if (hit) {
    throw new MeterlineError('conflict', `${what} reaches into period ${hit.period}, whose invoice for customer ${customer} is final (${hit.id}); final invoices never change`);
  }
}

async function overlapMessage(db: Queryable, s: Subscription): Promise<string> {
  const others = (await listSubscriptions(db, { serverId: s.serverId })).filter(
    (o) => o.id !== s.id && o.fromMs < (s.toMs ?? Number.POSITIVE_INFINITY) && (o.toMs ?? Number.POSITIVE_INFINITY) > s.fromMs,
  );
  const o = others[0];
  const range = (x: Subscription) => `${formatInstant(x.fromMs)} to ${x.toMs === undefined ? 'open end' : formatInstant(x.toMs)}`;
  return o
    ? `server ${s.serverId} already has subscription ${o.id} (customer ${o.customer}, plan ${o.plan}, ${range(o)}), which overlaps ${range(s)}; end it first (PATCH its "to")`
    : `server ${s.serverId} already has a subscription overlapping ${range(s)}`;
}

export class ProvisioningService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ctx: InvoicingContext,
  ) {}

  /** PUT /v1/customers/:id — create or replace currency, contract, billing details and tax. */
  async putCustomer(id: string, body: string): Promise<{ created: boolean; customer: CustomerJson }> {
    if (id.trim() === '') throw new ValidationError('customer', [{ path: 'id', message: 'must be a non-empty string' }]);
    const raw = parseBody(body);
    const { customer, problems } = validateCustomerEntry(this.ctx.catalog, id, raw);
    if (!customer) throw new ValidationError(`customer ${id}`, problems);
    const row = customerRow(customer, 'api');
    return withTransaction(this.pool, async (client) => {
      await lockCustomer(client, id);
      const created = await putCustomer(client, row);
      // Before the sync: the recompute checks the new alerts against the current draft.
      await putCustomerAlerts(client, id, customer.alerts ?? []);
      await syncCustomerLocked(client, this.ctx, id);
      const alerts = (customer.alerts ?? []).map(alertJson);
      return {
        created,
        customer: {
          id,
          currency: row.currency,
          contract: row.contract,
          ...(row.billing ? { billing: row.billing } : {}),
          ...(row.tax !== null ? { tax: row.tax } : {}),
          ...(alerts.length > 0 ? { alerts } : {}),
        },
      };
    });
  }

  /** POST /v1/subscriptions — a retried identical request returns the existing one. */
  async createSubscription(body: string): Promise<{ created: boolean; subscription: SubscriptionJson }> {
    const raw = parseBody(body);
    const customerId = isMapValue(raw) && typeof raw.customer === 'string' ? raw.customer : undefined;
    const known = customerId !== undefined && (await getCustomer(this.pool, customerId)) ? [customerId] : [];
    const c = new Checker();
    const [sub] = validateSubscriptions(c, [raw], new Set(known), new Set(Object.keys(this.ctx.catalog.plans)), this.ctx.catalog.timezone);
    if (c.problems.length > 0 || !sub) throw new ValidationError('subscription', renamed(c.problems, 'subscriptions[0]'));
    return withTransaction(this.pool, async (client) => {
      await lockCustomer(client, sub.customer);
      const existing = await getSubscription(client, sub.id);
      if (existing) {
        if (existing.customer === sub.customer && existing.plan === sub.plan && existing.toMs === sub.toMs) {
          return { created: false, subscription: subscriptionJson(existing) };
        }
        throw new MeterlineError('conflict', await overlapMessage(client, sub));
      }
      await refuseFinalized(client, sub.customer, sub.fromMs, sub.toMs, 'the subscription');
      await client.query('SAVEPOINT insert_subscription');
      try {
        await insertSubscription(client, sub, 'api');
      } catch (err) {
        if (!isOverlapError(err)) throw err;
        await client.query('ROLLBACK TO SAVEPOINT insert_subscription');
        throw new MeterlineError('conflict', await overlapMessage(client, sub), { cause: err });
      }
      await syncCustomerLocked(client, this.ctx, sub.customer);
      return { created: true, subscription: subscriptionJson(sub) };
    });
  }

  /** PATCH /v1/subscriptions/:id — set (or clear) `to`: a server returned, or a plan change. */
  async patchSubscription(id: string, body: string): Promise<SubscriptionJson> {
    const raw = parseBody(body);
    const c = new Checker();
    const m = c.map(raw, '(body)');
    if (m) c.keys(m, '(body)', ['to']);
    if (m && !('to' in m)) c.add('to', 'is required (an RFC 3339 timestamp, or null for open-ended)');
    const toMs = m ? c.timestamp(m.to, 'to', this.ctx.catalog.timezone, false) : undefined;
    if (c.problems.length > 0) throw new ValidationError('subscription change', c.problems);
    const current = await getSubscription(this.pool, id);
    if (!current) throw new MeterlineError('not_found', `no subscription ${JSON.stringify(id)}`);
    return withTransaction(this.pool, async (client) => {
      await lockCustomer(client, current.customer);
      const sub = await getSubscription(client, id);
      if (!sub) throw new MeterlineError('not_found', `no subscription ${JSON.stringify(id)}`);
      if (toMs !== undefined && toMs <= sub.fromMs) {
        throw new ValidationError('subscription change', [{ path: 'to', message: `must be later than from (${formatInstant(sub.fromMs)})` }]);
      }
      if (toMs !== sub.toMs) {
        const lo = Math.min(toMs ?? Number.POSITIVE_INFINITY, sub.toMs ?? Number.POSITIVE_INFINITY);
        const hi = toMs === undefined || sub.toMs === undefined ? undefined : Math.max(toMs, sub.toMs);
        await refuseFinalized(client, sub.customer, lo, hi, `moving the end of subscription ${id}`);
      }
      const next: Subscription = { ...sub };
      if (toMs === undefined) delete next.toMs;
      else next.toMs = toMs;
      await client.query('SAVEPOINT set_end');
      try {
        await setSubscriptionEnd(client, id, toMs);
      } catch (err) {
        if (!isOverlapError(err)) throw err;
        await client.query('ROLLBACK TO SAVEPOINT set_end');
        throw new MeterlineError('conflict', await overlapMessage(client, next), { cause: err });
      }
      await syncCustomerLocked(client, this.ctx, sub.customer);
      return subscriptionJson(next);
    });
  }

  async listSubscriptions(filter: { serverId?: string; customer?: string }): Promise<SubscriptionJson[]> {
    return (await listSubscriptions(this.pool, filter)).map(subscriptionJson);
  }
}
