-- Customer billing details and tax treatment (SPEC §12.1), set by the catalogue seed or
-- `PUT /v1/customers/:id`. Both in the catalogue's own spelling and validated by the catalogue
-- validator before they are written (and again when read): billing is
-- { name, address[], country, vat_id?, email? }, tax a key of the catalogue's `taxes`, or
-- exempt, or reverse_charge. NULL = none (no tax at all, SPEC §6 step 7).
ALTER TABLE customers ADD COLUMN billing jsonb CHECK (billing IS NULL OR jsonb_typeof(billing) = 'object');
ALTER TABLE customers ADD COLUMN tax text CHECK (tax IS NULL OR length(tax) > 0);
