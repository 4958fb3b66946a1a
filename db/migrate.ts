// Schema migrations: numbered plain SQL files in db/migrations (`NNN_name.sql`), each applied in
// one transaction together with its row in schema_migrations, so a file is either wholly
// applied and recorded or not at all. An advisory lock serialises concurrent migrators (several
// roles may start at once). A database holding a migration this code does not know is refused:
// it was migrated by a newer version, and running older code against it could corrupt data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { MeterlineError } from '../lib/errors.js';

export interface Migration {
  id: number;
  name: string;
  /** The file name, e.g. `001_timescaledb.sql`. */
  file: string;
  sql: string;
}

const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
/** Any constant: the key of the advisory lock every migrator takes. */
const LOCK_KEY = 7_265_736_411;

/** db/migrations beside this module (source checkout), or in the checkout root (built dist/). */
export function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'migrations'), join(here, '..', '..', 'db', 'migrations')];
  const found = candidates.find((d) => existsSync(d));
  if (!found)
    throw new MeterlineError('internal', `no migrations folder (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads and checks the migration files: well-named, unique numbers, sorted by number. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_NAME.exec(file);
    if (!m) throw new MeterlineError('internal', `db/migrations/${file}: name must be NNN_lower_snake.sql`);
    const id = Number(m[1]);
    const clash = migrations.find((x) => x.id === id);
    if (clash)
      throw new MeterlineError('internal', `db/migrations: ${file} and ${clash.file} share number ${id}`);
    migrations.push({ id, name: m[2] ?? '', file, sql: readFileSync(join(dir, file), 'utf8') });
  }
  return migrations.sort((a, b) => a.id - b.id);
}

export interface MigrateResult {
  applied: Migration[];
  /** Every id recorded in the database afterwards. */
  current: number[];
}

/**
 * Applies every migration not yet recorded, in number order. A file added later with a lower
 * number than one already applied (parallel branches) is still applied, never skipped.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: Migration[] = loadMigrations(),
  onApply: (m: Migration) => void = () => undefined,
): Promise<MigrateResult> {
  await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id         integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ id: number; name: string }>(
      'SELECT id, name FROM schema_migrations ORDER BY id',
    );
    const known = new Set(migrations.map((m) => m.id));
    const foreign = rows.filter((r) => !known.has(r.id));
    if (foreign.length > 0) {
      const latest = migrations.at(-1)?.id ?? 0;
      throw new MeterlineError(
        'config',
        `the database has migrations this code does not know (${foreign.map((r) => `${String(r.id).padStart(3, '0')}_${r.name}`).join(', ')}; ` +
          `this code knows up to ${latest}): it was migrated by a newer meterline — run that version, or use a fresh database`,
      );
    }
    const done = new Set(rows.map((r) => r.id));
    const applied: Migration[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      onApply(m);
      await client.query('BEGIN');
      try {
        // Recorded first: a concurrent migrator without the lock would fail on the key, not re-run the SQL.
        await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
        await client.query(m.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        // One line, exit 1 (main.ts): the SQL of the file is the bad input, not meterline.
        throw new MeterlineError('validation', `migration ${m.file} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      applied.push(m);
      done.add(m.id);
    }
    return { applied, current: [...done].sort((a, b) => a - b) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
  }
}
