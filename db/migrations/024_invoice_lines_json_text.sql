-- A line is served exactly as it was rated, field order included (SPEC §9's order: type,
-- server_id, plan, meter, quantity, unit, unit_price, amount, …). jsonb normalises key order,
-- json keeps the text as written, so the line's data is json; nothing queries inside it.
ALTER TABLE invoice_lines ALTER COLUMN data TYPE json USING data::json;
