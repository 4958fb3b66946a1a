-- Webhook endpoints and their deliveries (SPEC §13). A delivery row per (webhook, event) is
-- written in the transaction that writes the event, so deliveries survive restarts of every
-- role; workers claim due rows with FOR UPDATE SKIP LOCKED, oldest pending event of each
-- (webhook, customer) first.

CREATE TABLE webhooks (
  id          text PRIMARY KEY,                 -- `wh_…`
  url         text NOT NULL,
  events      text[] NOT NULL CHECK (cardinality(events) > 0),
  -- AES-256-GCM under METERLINE_WEBHOOK_KEY: 12-byte nonce || 16-byte tag || ciphertext.
  secret_enc  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  webhook_id       text NOT NULL REFERENCES webhooks (id),
  event_seq        bigint NOT NULL REFERENCES billing_events (seq),
  customer         text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (webhook_id, customer, event_seq) WHERE status = 'pending';
