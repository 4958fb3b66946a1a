-- Usage alerts (SPEC §13). A customer's alert list lives beside the customer row (set by the
-- catalogue seed and PUT /v1/customers/:id); a fired alert is remembered per (customer, period,
-- alert) so it is emitted once, even when later usage lowers and raises the draft again.

CREATE TABLE customer_alerts (
  customer   text PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  -- Catalogue spelling: [{"amount":"1000.00"}, {"meter":"bandwidth_out_gb","quantity":"5000"}].
  alerts     jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usage_alerts_fired (
  customer  text NOT NULL,
  period    text NOT NULL,
  -- The alert's identity: `amount:1000` or `meter:bandwidth_out_gb:5000` (normalised decimals).
  alert_key text NOT NULL,
  event_seq bigint NOT NULL REFERENCES billing_events (seq),
  fired_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer, period, alert_key)
);
