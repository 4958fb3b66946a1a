// A pool whose every statement is followed by a write committed on other connections: the
// moment a read made of several statements would see two states of the database, made to
// happen deterministically (what-if, explain: test/invoicing/*-snapshot.int.test.ts).
import type pg from 'pg';

type Query = (...args: unknown[]) => Promise<unknown>;

/** `real`, but `write(i)` runs and commits (on `real`'s other connections) after the i-th statement. */
export function busyPool(real: pg.Pool, write: (i: number) => Promise<void>): { pool: pg.Pool; writes: () => number } {
  let writes = 0;
  const hooked = (query: Query): Query => async (...args) => {
    const result = await query(...args);
    await write(writes++);
    return result;
  };
  const pool = {
    query: hooked(real.query.bind(real) as Query),
    connect: async () => {
      const client = await real.connect();
      return { query: hooked(client.query.bind(client) as Query), release: (err?: Error) => client.release(err) };
    },
  };
  return { pool: pool as unknown as pg.Pool, writes: () => writes };
}
