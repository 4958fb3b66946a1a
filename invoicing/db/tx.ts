// Transactions and the per-customer lock every invoice writer takes. Drafts of one customer are
// linked (late usage of a finalized period lands on the next draft), so the rate role, the
// provisioning API and finalization serialise per customer, not per invoice.
import type pg from 'pg';

/** Anything that runs queries: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn, begin);
  } finally {
    client.release();
  }
}

/**
 * One read-only transaction in which every statement sees the database as of the first one
 * (REPEATABLE READ): a read made of many statements (what-if rates a draft twice) is one moment,
 * whatever the rate role commits meanwhile. Read-only transactions never fail to serialise.
 */
export const withSnapshot = <T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
  withTransaction(pool, fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');

/** One transaction on a client the caller holds (e.g. one that also holds a session lock). */
export async function inTransaction<C extends Queryable, T>(client: C, fn: (client: C) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
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

/**
 * Runs `fn` with one connection holding the period's finalization lock (a session lock, kept
 * across the per-customer transaction `fn` runs on that same connection). A second finalize of
 * the period waits here, then finds every invoice final. One connection per call, so concurrent
 * calls waiting for the lock never starve the holder of connections.
 */
export async function withPeriodLock<T>(pool: pg.Pool, period: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query({ name: 'invoicing.lock_period', text: "SELECT pg_advisory_lock(hashtextextended('meterline.finalize:' || $1, 0))", values: [period] });
    try {
      return await fn(client);
    } finally {
      await client
        .query({ name: 'invoicing.unlock_period', text: "SELECT pg_advisory_unlock(hashtextextended('meterline.finalize:' || $1, 0))", values: [period] })
        .catch((err: Error) => {
          broken = err; // dropping the connection below releases the lock
        });
    }
  } catch (err) {
    broken ??= err as Error; // e.g. the lock query failed: do not reuse a connection in doubt
    throw err;
  } finally {
    client.release(broken);
  }
}
