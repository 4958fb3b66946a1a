-- Billing events out (SPEC §13): one transactional outbox for every event meterline emits
-- (invoice.finalized, credit_note.created, usage.alert). A row is written in the same
-- transaction as the change it reports, so an event exists if and only if its change committed.
-- Two readers: the relay puts documents on Kafka billing.documents (published_at), and each
-- matching webhook gets a delivery row written with the event (webhook_deliveries, 061).

CREATE TABLE billing_events (
  -- Commit-independent order of events (per customer it is the order of their transactions,
  -- because every writer of a customer's events holds that customer's lock).
  seq          bigserial PRIMARY KEY,
  -- `evt_…`: the webhook-id of every delivery of this event and the Kafka header `event_id`.
  id           text NOT NULL UNIQUE,
  type         text NOT NULL CHECK (type IN ('invoice.finalized', 'credit_note.created', 'usage.alert')),
  customer     text NOT NULL,
  -- The invoice or credit note id for documents; NULL for usage alerts.
  document_id  text,
  -- The event's `data` exactly as sent (json keeps the field order; decimal strings stay strings).
  data         json NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Documents only: when the relay's Kafka transaction holding it committed.
  published_at timestamptz,
  -- One event per document, whoever enqueues it twice.
  CONSTRAINT billing_events_one_per_document UNIQUE (type, document_id),
  CONSTRAINT billing_events_documents CHECK ((type = 'usage.alert') = (document_id IS NULL))
);
CREATE INDEX billing_events_unpublished ON billing_events (seq) WHERE published_at IS NULL AND document_id IS NOT NULL;
CREATE INDEX billing_events_by_customer ON billing_events (customer, seq);
