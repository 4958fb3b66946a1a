-- Invoices and their lines (SPEC §6, §9). One invoice per customer and billing period; a draft
-- is recomputed from scratch by the rate role (never incremented), a final one never changes.

CREATE TABLE invoices (
  -- Derived from (customer, period), so a rebuilt draft keeps its id.
  id           text PRIMARY KEY,
  customer     text NOT NULL REFERENCES customers (id),
  period       text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  period_start timestamptz NOT NULL,
  period_end   timestamptz NOT NULL CHECK (period_end > period_start),
  status       text NOT NULL CHECK (status IN ('draft', 'final')),
  currency     text NOT NULL,
  subtotal     numeric NOT NULL,
  total        numeric NOT NULL,
  -- sha256 of the catalogue file the invoice was rated with (plans and meters version, §10).
  catalog_hash text NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  finalized_at timestamptz,
  CONSTRAINT invoices_one_per_period UNIQUE (customer, period),
  CONSTRAINT invoices_final_has_time CHECK ((status = 'final') = (finalized_at IS NOT NULL))
);
CREATE INDEX invoices_by_period ON invoices (period, customer);

CREATE TABLE invoice_lines (
  invoice_id      text NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  n               integer NOT NULL CHECK (n >= 1), -- 1-based position in the invoice's `lines`
  type            text NOT NULL CHECK (type IN ('base_fee', 'usage', 'sla_credit', 'adjustment', 'discount', 'minimum_commit')),
  subscription_id text,
  server_id       text,
  plan            text,
  meter           text,
  period_of_usage text, -- adjustment lines: the finalized period the usage belongs to
  -- usage and adjustment lines: the subscription's part of the period whose rollup parts the
  -- line rates (explain selects the parts by server, meter and this range).
  usage_from      timestamptz,
  usage_to        timestamptz,
  amount          numeric NOT NULL,
  -- The line exactly as SPEC §9 prints it (decimal strings), so the API returns what was rated.
  data            jsonb NOT NULL,
  PRIMARY KEY (invoice_id, n)
);

-- A final invoice is immutable in the database itself, whoever connects: no UPDATE or DELETE
-- of it, and no INSERT, UPDATE or DELETE of its lines. (Finalizing is the one allowed change:
-- an UPDATE whose OLD row is a draft.)
CREATE FUNCTION invoices_final_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'final' THEN
    RAISE EXCEPTION 'invoice % (customer %, period %) is final and cannot be changed', OLD.id, OLD.customer, OLD.period
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER invoices_final_is_immutable BEFORE UPDATE OR DELETE ON invoices
  FOR EACH ROW EXECUTE FUNCTION invoices_final_is_immutable();

CREATE FUNCTION invoice_lines_final_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
BEGIN
  ids := CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.invoice_id] WHEN 'DELETE' THEN ARRAY[OLD.invoice_id]
                    ELSE ARRAY[OLD.invoice_id, NEW.invoice_id] END;
  IF EXISTS (SELECT 1 FROM invoices WHERE id = ANY (ids) AND status = 'final') THEN
    RAISE EXCEPTION 'lines of final invoice % cannot be changed', COALESCE(OLD.invoice_id, NEW.invoice_id)
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER invoice_lines_final_is_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
  FOR EACH ROW EXECUTE FUNCTION invoice_lines_final_is_immutable();

-- TRUNCATE skips row triggers: refuse it outright while any final invoice exists.
CREATE FUNCTION invoices_no_truncate_of_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM invoices WHERE status = 'final') THEN
    RAISE EXCEPTION 'cannot truncate %: final invoices exist', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
  FOR EACH STATEMENT EXECUTE FUNCTION invoices_no_truncate_of_final();
CREATE TRIGGER invoice_lines_no_truncate BEFORE TRUNCATE ON invoice_lines
  FOR EACH STATEMENT EXECUTE FUNCTION invoices_no_truncate_of_final();
