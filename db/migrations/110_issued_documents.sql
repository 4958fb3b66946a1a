-- What a final invoice or a credit note prints, kept as it was issued (SPEC §12: final invoices
-- and credit notes never change; §12.5: the document shows the issuer, the customer's billing
-- details, number and issue date). The printed document is built from the JSON (immutable
-- already) plus data that can change later — the catalogue's issuer, tax names and prices, the
-- customer's billing details and tax — so the whole document model is stored here, in the
-- transaction that makes the invoice final or creates the credit note, and final documents are
-- rendered from this copy alone. Drafts are not issued and keep rendering live data.
--
-- Documents issued before this migration have no copy: the first render after the upgrade builds
-- one from the then-current catalogue and customer (the best knowledge available; what they
-- printed before is not recorded anywhere) and stores it with frozen = 'first_render', so from
-- then on they never change either.
CREATE TABLE issued_documents (
  invoice_id     text REFERENCES invoices (id),
  credit_note_id text REFERENCES credit_notes (id),
  -- The document model (invoicing/documents/model.ts), every printed value already as text.
  model          jsonb NOT NULL CHECK (jsonb_typeof(model) = 'object'),
  -- Version of the model's shape, so a later release can read older copies.
  model_version  integer NOT NULL DEFAULT 1 CHECK (model_version >= 1),
  frozen         text NOT NULL CHECK (frozen IN ('at_issue', 'first_render')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT issued_documents_one_owner CHECK ((invoice_id IS NULL) <> (credit_note_id IS NULL)),
  CONSTRAINT issued_documents_invoice_unique UNIQUE (invoice_id),
  CONSTRAINT issued_documents_credit_note_unique UNIQUE (credit_note_id)
);

-- Only a final invoice is issued (a draft's document changes until finalization).
CREATE FUNCTION issued_documents_of_final_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.invoice_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM invoices WHERE id = NEW.invoice_id AND status = 'final') THEN
    RAISE EXCEPTION 'issued document: invoice % is not final', NEW.invoice_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER issued_documents_of_final_invoice BEFORE INSERT ON issued_documents
  FOR EACH ROW EXECUTE FUNCTION issued_documents_of_final_invoice();

-- Immutable like the documents they print: no UPDATE, DELETE or TRUNCATE.
CREATE FUNCTION issued_documents_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'issued documents cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER issued_documents_are_immutable BEFORE UPDATE OR DELETE ON issued_documents
  FOR EACH ROW EXECUTE FUNCTION issued_documents_are_immutable();
CREATE TRIGGER issued_documents_no_truncate BEFORE TRUNCATE ON issued_documents
  FOR EACH STATEMENT EXECUTE FUNCTION issued_documents_are_immutable();
