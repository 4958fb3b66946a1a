// The gapless document number sequences (migration 055). A value is taken by updating the
// prefix's counter row inside the caller's transaction: a rollback returns it (nothing burnt),
// and the row lock makes a concurrent taker of the same prefix wait for the commit.
import type { NumberFormat } from '../numbering.js';
import type { Queryable } from './tx.js';

/** Takes the next value of `prefix` (1 for a new prefix); the caller's transaction must commit it. */
export async function takeSequenceValue(db: Queryable, prefix: string): Promise<bigint> {
  const r = await db.query<{ last_value: string }>({
    name: 'document_numbers.take',
    text: `INSERT INTO document_number_counters AS c (prefix, last_value) VALUES ($1, 1)
           ON CONFLICT (prefix) DO UPDATE SET last_value = c.last_value + 1
           RETURNING last_value::text`,
    values: [prefix],
  });
  return BigInt(r.rows[0]!.last_value);
}

/** The next document number of `format` for a document of `year`. */
export async function takeNumber(db: Queryable, format: NumberFormat, year: number): Promise<string> {
  return format.render(year, await takeSequenceValue(db, format.prefix(year)));
}
