// The transactional outbox (billing_events): an event is written by the transaction that makes
// the change it reports, together with one delivery row per webhook subscribed to its type.
// Call these with the transaction's client (finalization, credit notes, the alert check), never
// with a pool: the event must commit or roll back with the change.
import { createHash } from 'node:crypto';
import type { Queryable } from '../invoicing/db/tx.js';
import { documentEventType, type BillingDocument, type EventType, type StoredEvent } from './types.js';

/** Deterministic: the same change always names the same event (re-enqueueing is a no-op). */
export const eventId = (type: EventType, key: string): string =>
  `evt_${createHash('sha256').update(`${type}\u0000${key}`).digest('hex').slice(0, 24)}`;

export interface NewEvent {
  type: EventType;
  customer: string;
  /** Unique per type: the document id, or (customer, period, alert) of an alert. */
  key: string;
  documentId?: string;
  data: Record<string, unknown>;
}

/** Writes the event and its webhook deliveries; returns its seq, or undefined if it existed. */
export async function enqueueEvent(client: Queryable, e: NewEvent): Promise<string | undefined> {
  const r = await client.query<{ seq: string }>({
    name: 'billing_events.insert',
    text: `INSERT INTO billing_events (id, type, customer, document_id, data) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING RETURNING seq::text AS seq`,
    values: [eventId(e.type, e.key), e.type, e.customer, e.documentId ?? null, JSON.stringify(e.data)],
  });
  const seq = r.rows[0]?.seq;
  if (seq === undefined) return undefined;
  await client.query({
    name: 'webhook_deliveries.fan_out',
    text: `INSERT INTO webhook_deliveries (webhook_id, event_seq, customer)
           SELECT w.id, $1::bigint, $2 FROM webhooks w WHERE w.deleted_at IS NULL AND $3 = ANY (w.events)`,
    values: [seq, e.customer, e.type],
  });
  return seq;
}

/** invoice.finalized / credit_note.created for a document, inside the transaction that made it final. */
export function enqueueDocumentEvent(client: Queryable, doc: BillingDocument): Promise<string | undefined> {
  return enqueueEvent(client, { type: documentEventType(doc.kind), customer: doc.customer, key: doc.id, documentId: doc.id, data: doc.json });
}

interface EventRow {
  seq: string;
  id: string;
  type: EventType;
  customer: string;
  document_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export const SELECT_EVENT = 'seq::text AS seq, id, type, customer, document_id, data, created_at';

export const toEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  id: r.id,
  type: r.type,
  customer: r.customer,
  documentId: r.document_id,
  data: r.data,
  createdAtMs: r.created_at.getTime(),
});

/**
 * Documents not yet on Kafka, oldest first, locked for the caller's transaction (SKIP LOCKED:
 * a second relay never waits on, nor sends, the rows the first holds).
 */
export async function claimUnpublished(client: Queryable, limit: number): Promise<StoredEvent[]> {
  const r = await client.query<EventRow>({
    name: 'billing_events.claim_unpublished',
    text: `SELECT ${SELECT_EVENT} FROM billing_events WHERE published_at IS NULL AND document_id IS NOT NULL
            ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
    values: [limit],
  });
  return r.rows.map(toEvent);
}

/** Marks documents as on Kafka (the relay, after its Kafka transaction committed). */
export async function markPublished(client: Queryable, seqs: readonly string[]): Promise<number> {
  if (seqs.length === 0) return 0;
  const r = await client.query({
    name: 'billing_events.mark_published',
    text: 'UPDATE billing_events SET published_at = now() WHERE seq = ANY ($1::bigint[]) AND published_at IS NULL',
    values: [seqs],
  });
  return r.rowCount ?? 0;
}

/** Age of the oldest document not yet on Kafka, seconds (0 when none): the outbox lag. */
export async function outboxLagSeconds(client: Queryable): Promise<number> {
  const r = await client.query<{ lag: string | null }>({
    name: 'billing_events.lag',
    text: `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::text AS lag FROM billing_events
            WHERE published_at IS NULL AND document_id IS NOT NULL`,
  });
  return r.rows[0]?.lag ? Math.max(0, Number(r.rows[0].lag)) : 0;
}
