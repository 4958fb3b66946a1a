// Transactions and the per-customer lock every invoice writer takes. Drafts of one customer are
// linked (late usage of a finalized period lands on the next draft), so the rate role, the
// provisioning API and finalization serialise per customer, not per invoice.
import type pg from 'pg';

/** Anything that runs queries: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Holds the customer's invoice lock until the transaction ends. In READ COMMITTED every later
 * statement sees what the previous holder committed, so a recompute under the lock reads all
 * parts and invoices written before it.
 */
export async function lockCustomer(client: Queryable, customer: string): Promise<void> {
  await client.query({
    name: 'invoicing.lock_customer',
    text: "SELECT pg_advisory_xact_lock(hashtextextended('meterline.invoices:' || $1, 0))",
    values: [customer],
  });
}
