// customers table: the contract is kept in the catalogue's own spelling (decimal strings), so
// the catalogue validator reads it back exactly as it reads the file.
import type { Queryable } from './tx.js';

export interface CustomerRow {
  id: string;
  currency: string;
  /** Catalogue spelling: { overrides?, discount_pct?, minimum_commit? }. */
  contract: Record<string, unknown>;
  source: 'catalog' | 'api';
}

interface Row {
  id: string;
  currency: string;
  contract: Record<string, unknown>;
  source: 'catalog' | 'api';
}

export async function getCustomer(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const r = await db.query<Row>({
    name: 'customers.get',
    text: 'SELECT id, currency, contract, source FROM customers WHERE id = $1',
    values: [id],
  });
  return r.rows[0];
}

export async function listCustomers(db: Queryable): Promise<CustomerRow[]> {
  const r = await db.query<Row>('SELECT id, currency, contract, source FROM customers ORDER BY id');
  return r.rows;
}

/** PUT semantics (the API): create or replace. Returns true when the customer is new. */
export async function putCustomer(db: Queryable, c: CustomerRow): Promise<boolean> {
  const r = await db.query<{ inserted: boolean }>({
    name: 'customers.put',
    text: `INSERT INTO customers (id, currency, contract, source) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET currency = EXCLUDED.currency, contract = EXCLUDED.contract, updated_at = now()
           RETURNING (xmax = 0) AS inserted`,
    values: [c.id, c.currency, JSON.stringify(c.contract), c.source],
  });
  return r.rows[0]?.inserted ?? false;
}

/** Seeding: insert when missing, never overwrite what the API manages. True when inserted. */
export async function insertCustomerIfMissing(db: Queryable, c: CustomerRow): Promise<boolean> {
  const r = await db.query({
    name: 'customers.seed',
    text: `INSERT INTO customers (id, currency, contract, source) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    values: [c.id, c.currency, JSON.stringify(c.contract), c.source],
  });
  return (r.rowCount ?? 0) > 0;
}
