-- A recompute that changes nothing must write nothing (no churn in computed_at, no dead rows):
-- the draft keeps a hash of everything it was written from. Lines keep the rating detail
-- (subscription, model, billable quantity, tier breakdown, exact amount) beside their SPEC §9
-- form, for explain.
ALTER TABLE invoices ADD COLUMN fingerprint text NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN detail jsonb NOT NULL DEFAULT '{}'::jsonb;
