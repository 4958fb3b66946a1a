-- Tax on invoices (SPEC §12.2): the three totals and the tax line type. `total` stays the sum of
-- all lines (now including tax); total_excluding_tax and tax_total are new. Invoices written
-- before this migration carry NULL in both and are read as total_excluding_tax = total,
-- tax_total = 0 (they had no tax): filling them here would UPDATE final invoices, which the
-- immutability trigger of migration 021 rightly refuses.
ALTER TABLE invoices ADD COLUMN total_excluding_tax numeric;
ALTER TABLE invoices ADD COLUMN tax_total numeric;
ALTER TABLE invoices ADD CONSTRAINT invoices_totals_add_up
  CHECK (total_excluding_tax IS NULL OR tax_total IS NULL OR total = total_excluding_tax + tax_total);

ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_type_check;
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_type_check
  CHECK (type IN ('base_fee', 'usage', 'sla_credit', 'adjustment', 'discount', 'minimum_commit', 'tax'));
