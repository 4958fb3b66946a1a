// webhooks and webhook_deliveries (migration 061). Endpoints are soft-deleted (their delivery
// history stays readable to the database, pending deliveries are cancelled); deliveries are
// claimed one per transaction with FOR UPDATE SKIP LOCKED, and only the oldest pending event of
// each (webhook, customer): a customer's events reach an endpoint in order, even across retries.
import type { Queryable } from '../invoicing/db/tx.js';
import { toEvent } from '../events/outbox.js';
import type { EventType, StoredEvent } from '../events/types.js';

export interface Webhook {
  id: string;
  url: string;
  events: EventType[];
  created_at: string;
}

interface WebhookRow {
  id: string;
  url: string;
  events: EventType[];
  created_at: Date;
}
const toWebhook = (r: WebhookRow): Webhook => ({ id: r.id, url: r.url, events: r.events, created_at: r.created_at.toISOString() });

export async function insertWebhook(db: Queryable, w: { id: string; url: string; events: readonly EventType[]; secretEnc: Buffer }): Promise<Webhook> {
  const r = await db.query<WebhookRow>({
    name: 'webhooks.insert',
    text: 'INSERT INTO webhooks (id, url, events, secret_enc) VALUES ($1, $2, $3, $4) RETURNING id, url, events, created_at',
    values: [w.id, w.url, w.events, w.secretEnc],
  });
  return toWebhook(r.rows[0] as WebhookRow);
}

export async function listWebhooks(db: Queryable): Promise<Webhook[]> {
  const r = await db.query<WebhookRow>({ name: 'webhooks.list', text: 'SELECT id, url, events, created_at FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id' });
  return r.rows.map(toWebhook);
}

export async function webhookExists(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query({ name: 'webhooks.exists', text: 'SELECT 1 FROM webhooks WHERE id = $1 AND deleted_at IS NULL', values: [id] });
  return (r.rowCount ?? 0) > 0;
}

/** Soft delete; pending deliveries are cancelled. False when there was no such webhook. */
export async function deleteWebhook(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query({ name: 'webhooks.delete', text: 'UPDATE webhooks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL', values: [id] });
  if ((r.rowCount ?? 0) === 0) return false;
  await db.query({
    name: 'webhook_deliveries.cancel',
    text: "UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = now() WHERE webhook_id = $1 AND status = 'pending'",
    values: [id],
  });
  return true;
}

export interface DeliveryView {
  id: string;
  event_id: string;
  event_type: EventType;
  customer: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  last_response_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: EventType;
  customer: string;
  status: DeliveryView['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  created_at: Date;
}

/** A webhook's deliveries, newest event first. */
export async function listDeliveries(db: Queryable, webhookId: string, limit: number): Promise<DeliveryView[]> {
  const r = await db.query<DeliveryRow>({
    name: 'webhook_deliveries.list',
    text: `SELECT d.id::text AS id, e.id AS event_id, e.type AS event_type, d.customer, d.status, d.attempts, d.last_status_code,
                  d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.created_at
             FROM webhook_deliveries d JOIN billing_events e ON e.seq = d.event_seq
            WHERE d.webhook_id = $1 ORDER BY d.event_seq DESC LIMIT $2`,
    values: [webhookId, limit],
  });
  return r.rows.map((x) => ({
    id: x.id,
    event_id: x.event_id,
    event_type: x.event_type,
    customer: x.customer,
    status: x.status,
    attempts: x.attempts,
    last_response_code: x.last_status_code,
    last_error: x.last_error,
    last_attempt_at: x.last_attempt_at?.toISOString() ?? null,
    next_attempt_at: x.status === 'pending' ? x.next_attempt_at.toISOString() : null,
    delivered_at: x.delivered_at?.toISOString() ?? null,
    created_at: x.created_at.toISOString(),
  }));
}

export interface ClaimedDelivery {
  id: string;
  attempts: number;
  url: string;
  secretEnc: Buffer;
  event: StoredEvent;
}

/** One due delivery, locked for the caller's transaction: the head of its (webhook, customer) queue. */
export async function claimDue(db: Queryable): Promise<ClaimedDelivery | undefined> {
  const r = await db.query<{ did: string; attempts: number; url: string; secret_enc: Buffer } & Parameters<typeof toEvent>[0]>({
    name: 'webhook_deliveries.claim',
    text: `SELECT d.id::text AS did, d.attempts, w.url, w.secret_enc, e.seq::text AS seq, e.id, e.type, e.customer, e.document_id, e.data, e.created_at
             FROM webhook_deliveries d
             JOIN webhooks w ON w.id = d.webhook_id
             JOIN billing_events e ON e.seq = d.event_seq
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                               WHERE p.webhook_id = d.webhook_id AND p.customer = d.customer AND p.status = 'pending' AND p.event_seq < d.event_seq)
            ORDER BY d.next_attempt_at, d.event_seq
            LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
  });
  const x = r.rows[0];
  if (!x) return undefined;
  return { id: x.did, attempts: x.attempts, url: x.url, secretEnc: x.secret_enc, event: toEvent(x) };
}

export interface AttemptResult {
  status: 'delivered' | 'pending' | 'failed';
  code: number | null;
  error: string | null;
  /** For `pending`: when to try again. */
  nextAttemptAt?: Date;
}

export async function recordAttempt(db: Queryable, id: string, r: AttemptResult): Promise<void> {
  await db.query({
    name: 'webhook_deliveries.record',
    text: `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_status_code = $3, last_error = $4, last_attempt_at = now(),
             next_attempt_at = COALESCE($5, next_attempt_at), delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
            WHERE id = $1`,
    values: [id, r.status, r.code, r.error, r.nextAttemptAt ?? null],
  });
}
