// `meterline migrate`: brings the database schema up to date (db/migrate.ts). Safe to run any
// number of times and from several processes at once.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createPool } from '../../db/pool.js';
import { migrate } from '../../db/migrate.js';

export const command: Command = {
  summary: 'apply the database migrations (db/migrations) that are not applied yet',
  async run(argv) {
    const { values } = parseFlags(argv, { quiet: { type: 'boolean', short: 'q' } });
    const config = loadConfig();
    const say = (line: string) => (values.quiet ? undefined : console.error(line));
    await runMigrations(config.database, say);
    return 0;
  },
};

export async function runMigrations(
  database: Parameters<typeof createPool>[0],
  say: (line: string) => void,
): Promise<void> {
  const pool = createPool(database, { max: 1, applicationName: 'meterline-migrate' });
  try {
    const client = await pool.connect();
    try {
      const { applied, current } = await migrate(client, undefined, (m) =>
        say(`migrate: applying ${m.file}…`),
      );
      say(
        `migrate: ${applied.length === 0 ? 'schema up to date' : `applied ${applied.length}`} (at ${current.at(-1) ?? 'none'})`,
      );
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
