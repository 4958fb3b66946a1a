// A database of its own for a bench's role processes, on the configured PostgreSQL: created,
// brought to the current schema (db/migrate.ts, as `meterline migrate` does), dropped at the
// end. The aggregate role needs the schema (its subscription feed reads `subscriptions`), and a
// bench must neither depend on the developer's database having been migrated nor touch it.
import pg from 'pg';
import type { Config } from '../config/env.js';
import { runMigrations } from '../cli/commands/migrate.js';

export interface ScratchDb {
  url: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(database: Config['database'], tag: string): Promise<ScratchDb> {
  const at = (name: string): string => Object.assign(new URL(database.url), { pathname: `/${name}` }).toString();
  const name = `meterline_bench_${tag}`;
  const server = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: at('postgres'), ssl: database.ssl });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  await server((c) => c.query(`CREATE DATABASE ${name}`));
  const url = at(name);
  const drop = () => server((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  try {
    await runMigrations({ ...database, url }, () => undefined);
  } catch (err) {
    await drop();
    throw err;
  }
  return { url, drop };
}
