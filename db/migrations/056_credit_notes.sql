-- Credit notes (SPEC §12.4): created final at once against a final invoice, never changed
-- afterwards. The document is kept exactly as served (json keeps field order); credit_note_lines
-- keep what each credited invoice line lost, so "what remains of a line" is one SUM.
CREATE TABLE credit_notes (
  id                  text PRIMARY KEY,
  number              text NOT NULL,
  invoice_id          text NOT NULL REFERENCES invoices (id),
  customer            text NOT NULL REFERENCES customers (id),
  currency            text NOT NULL,
  reason              text NOT NULL CHECK (reason <> ''),
  total_excluding_tax numeric NOT NULL,
  tax_total           numeric NOT NULL,
  total               numeric NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  document            json NOT NULL,
  CONSTRAINT credit_notes_number_unique UNIQUE (number),
  CONSTRAINT credit_notes_total CHECK (total = total_excluding_tax + tax_total)
);
CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id, created_at);
CREATE INDEX credit_notes_by_customer ON credit_notes (customer, created_at);

CREATE TABLE credit_note_lines (
  credit_note_id text NOT NULL REFERENCES credit_notes (id),
  invoice_id     text NOT NULL REFERENCES invoices (id),
  n              integer NOT NULL CHECK (n >= 1), -- the credited invoice line
  -- What the credit takes off the line, in the line's own sign (a discount line credited in
  -- full has a negative credited amount); the credit note prints it negated.
  credited       numeric NOT NULL CHECK (credited <> 0),
  PRIMARY KEY (credit_note_id, n),
  FOREIGN KEY (invoice_id, n) REFERENCES invoice_lines (invoice_id, n)
);
CREATE INDEX credit_note_lines_by_invoice ON credit_note_lines (invoice_id, n);

-- Only a final invoice can be credited, whoever connects.
CREATE FUNCTION credit_notes_of_final_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM invoices WHERE id = NEW.invoice_id AND status = 'final' AND customer = NEW.customer) THEN
    RAISE EXCEPTION 'credit note %: invoice % is not a final invoice of customer %', NEW.id, NEW.invoice_id, NEW.customer
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER credit_notes_of_final_invoice BEFORE INSERT ON credit_notes
  FOR EACH ROW EXECUTE FUNCTION credit_notes_of_final_invoice();

-- Lines belong to the credit note written in the same transaction: none added to one later.
CREATE FUNCTION credit_note_lines_with_their_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM credit_notes WHERE id = NEW.credit_note_id AND invoice_id = NEW.invoice_id AND xmin = pg_current_xact_id()::xid) THEN
    RAISE EXCEPTION 'credit note %: lines can only be written with the credit note itself', NEW.credit_note_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER credit_note_lines_with_their_note BEFORE INSERT ON credit_note_lines
  FOR EACH ROW EXECUTE FUNCTION credit_note_lines_with_their_note();

-- Immutable like final invoices: no UPDATE, DELETE or TRUNCATE of a credit note or its lines.
CREATE FUNCTION credit_notes_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%: credit notes are final and cannot be changed', TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER credit_notes_are_immutable BEFORE UPDATE OR DELETE ON credit_notes
  FOR EACH ROW EXECUTE FUNCTION credit_notes_are_immutable();
CREATE TRIGGER credit_note_lines_are_immutable BEFORE UPDATE OR DELETE ON credit_note_lines
  FOR EACH ROW EXECUTE FUNCTION credit_notes_are_immutable();
CREATE TRIGGER credit_notes_no_truncate BEFORE TRUNCATE ON credit_notes
  FOR EACH STATEMENT EXECUTE FUNCTION credit_notes_are_immutable();
CREATE TRIGGER credit_note_lines_no_truncate BEFORE TRUNCATE ON credit_note_lines
  FOR EACH STATEMENT EXECUTE FUNCTION credit_notes_are_immutable();
