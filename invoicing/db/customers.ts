// customers table: the contract and billing details are kept in the catalogue's own spelling
// (decimal strings, snake_case), so the catalogue validator reads them back exactly as it reads
// the file.
import type { Queryable } from './tx.js';

export interface CustomerRow {
  id: string;
  currency: string;
  /** Catalogue spelling: { overrides?, discount_pct?, minimum_commit? }. */
  contract: Record<string, unknown>;
  /** Catalogue spelling: { name, address, country, vat_id?, email? }; null = none. */
  billing: Record<string, unknown> | null;
  /** A key of the catalogue's taxes, exempt or reverse_charge; null = no tax. */
  tax: string | null;
  source: 'catalog' | 'api';
}

type Row = CustomerRow;
const COLUMNS = 'id, currency, contract, billing, tax, source';

export async function getCustomer(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const r = await db.query<Row>({
    name: 'customers.get',
    text: `SELECT ${COLUMNS} FROM customers WHERE id = $1`,
    values: [id],
  });
  return r.rows[0];
}

export async function listCustomers(db: Queryable): Promise<CustomerRow[]> {
  const r = await db.query<Row>(`SELECT ${COLUMNS} FROM customers ORDER BY id`);
  return r.rows;
}

const rowValues = (c: CustomerRow): unknown[] =>
  [c.id, c.currency, JSON.stringify(c.contract), c.billing === null ? null : JSON.stringify(c.billing), c.tax, c.source];

/** PUT semantics (the API): create or replace. Returns true when the customer is new. */
export async function putCustomer(db: Queryable, c: CustomerRow): Promise<boolean> {
  const r = await db.query<{ inserted: boolean }>({
    name: 'customers.put',
    text: `INSERT INTO customers (id, currency, contract, billing, tax, source) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET currency = EXCLUDED.currency, contract = EXCLUDED.contract,
             billing = EXCLUDED.billing, tax = EXCLUDED.tax, updated_at = now()
           RETURNING (xmax = 0) AS inserted`,
    values: rowValues(c),
  });
  return r.rows[0]?.inserted ?? false;
}

/** Seeding: insert when missing, never overwrite what the API manages. True when inserted. */
export async function insertCustomerIfMissing(db: Queryable, c: CustomerRow): Promise<boolean> {
  const r = await db.query({
    name: 'customers.seed',
    text: `INSERT INTO customers (id, currency, contract, billing, tax, source) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    values: rowValues(c),
  });
  return (r.rowCount ?? 0) > 0;
}
