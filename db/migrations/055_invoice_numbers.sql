-- Invoice numbers (SPEC §12.3). A draft has no number; finalization sets `number` in the same
-- UPDATE that makes the invoice final (the one change the immutability trigger of migration 021
-- allows), so a number never changes afterwards. Final invoices finalized before this migration
-- keep no number (NULL): numbering them now would give old invoices numbers out of order.
ALTER TABLE invoices ADD COLUMN number text;
ALTER TABLE invoices ADD CONSTRAINT invoices_number_unique UNIQUE (number);
ALTER TABLE invoices ADD CONSTRAINT invoices_draft_has_no_number CHECK (status = 'final' OR number IS NULL);

-- One gapless counter per number prefix (the format with its {SEQ…} part removed, {YYYY}
-- substituted), shared by invoices and credit notes whose formats give the same prefix so two
-- documents can never carry the same number. The counter row is updated inside the transaction
-- that uses the number: a rolled-back transaction takes its increment with it (a SEQUENCE would
-- burn the value), and the row lock makes a concurrent writer of the same prefix wait.
CREATE TABLE document_number_counters (
  prefix     text PRIMARY KEY,
  last_value bigint NOT NULL CHECK (last_value >= 1)
);

-- Counters only ever go up: a lower value would hand out a number again.
CREATE FUNCTION document_number_counters_only_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.last_value < OLD.last_value OR NEW.prefix <> OLD.prefix THEN
    RAISE EXCEPTION 'document number counter % may only increase', OLD.prefix
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER document_number_counters_only_up BEFORE UPDATE OR DELETE ON document_number_counters
  FOR EACH ROW EXECUTE FUNCTION document_number_counters_only_up();
CREATE FUNCTION document_number_counters_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'document number counters cannot be truncated' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER document_number_counters_no_truncate BEFORE TRUNCATE ON document_number_counters
  FOR EACH STATEMENT EXECUTE FUNCTION document_number_counters_no_truncate();
