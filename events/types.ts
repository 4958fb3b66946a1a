// Contracts of billing events out (SPEC §13): the event types a webhook may subscribe to, an
// event as the outbox stores it, and a document (finalized invoice or credit note) as it is
// enqueued by the transaction that makes it final.

export const EVENT_TYPES = ['invoice.finalized', 'credit_note.created', 'usage.alert'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const isEventType = (v: string): v is EventType => (EVENT_TYPES as readonly string[]).includes(v);

/** A document published on billing.documents: the JSON the API serves for it. */
export interface BillingDocument {
  kind: 'invoice' | 'credit_note';
  id: string;
  customer: string;
  /** The document exactly as GET /v1/invoices/:id (or /v1/credit-notes/:id) gives it. */
  json: Record<string, unknown>;
}

/** One row of the outbox (billing_events). */
export interface StoredEvent {
  /** Order of events (bigint as a decimal string). */
  seq: string;
  /** `evt_…`: the webhook-id, and the `event_id` of the Kafka record. */
  id: string;
  type: EventType;
  customer: string;
  documentId: string | null;
  data: Record<string, unknown>;
  createdAtMs: number;
}

export const documentEventType = (kind: BillingDocument['kind']): EventType =>
  kind === 'invoice' ? 'invoice.finalized' : 'credit_note.created';
