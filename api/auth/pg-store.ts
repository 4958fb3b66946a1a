// API keys in PostgreSQL (table api_keys, migration 030).
import type pg from 'pg';
import { MeterlineError } from '../../lib/errors.js';
import { pgKeyInvalidations, type PgInvalidationOptions } from './invalidation.js';
import type { ApiKey, KeyRole } from './keys.js';
import { validateNewKey, type KeyStore } from './store.js';

interface Row {
  id: string;
  role: KeyRole;
  customer_id: string | null;
  prefix: string;
  description: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, role, customer_id, prefix, description, created_at, revoked_at';

function toKey(r: Row): ApiKey {
  return {
    id: r.id,
    role: r.role,
    prefix: r.prefix,
    createdAtMs: r.created_at.getTime(),
    ...(r.customer_id !== null ? { customer: r.customer_id } : {}),
    ...(r.description !== null ? { description: r.description } : {}),
    ...(r.revoked_at !== null ? { revokedAtMs: r.revoked_at.getTime() } : {}),
  };
}

/** Work to finish before a pool ends (the key-change feed: its LISTEN connection ends with the pool). */
const beforeEnd = new WeakMap<pg.Pool, Array<() => Promise<void>>>();

function onPoolEnd(pool: pg.Pool, fn: () => Promise<void>): void {
  let hooks = beforeEnd.get(pool);
  if (!hooks) {
    const list: Array<() => Promise<void>> = [];
    hooks = list;
    beforeEnd.set(pool, list);
    // The roles end their pool on stop; the feed belongs to the store built on that pool, so it
    // ends there too, without every role having to know the feed exists.
    const end = pool.end.bind(pool) as () => Promise<void>;
    pool.end = (async () => {
      await Promise.all(list.splice(0).map((f) => f()));
      await end();
    }) as typeof pool.end;
  }
  hooks.push(fn);
}

/**
 * API keys in PostgreSQL. Its `invalidations` feed (LISTEN meterline_api_keys) opens only when
 * a cache starts it, and closes when the pool ends.
 */
export function pgKeyStore(pool: pg.Pool, feed: PgInvalidationOptions = {}): KeyStore {
  const invalidations = pgKeyInvalidations(pool, feed);
  onPoolEnd(pool, () => invalidations.close());
  return {
    invalidations,
    async findByHash(hash) {
      const { rows } = await pool.query<Row>({ name: 'api_keys_by_hash', text: `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, values: [hash] });
      return rows[0] ? toKey(rows[0]) : undefined;
    },
    async create(key) {
      validateNewKey(key);
      const { rows } = await pool.query<Row>({
        name: 'api_keys_create',
        text: `INSERT INTO api_keys (id, key_hash, prefix, role, customer_id, description) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        values: [key.id, key.hash, key.prefix, key.role, key.customer ?? null, key.description ?? null],
      });
      return toKey(rows[0] as Row);
    },
    async revoke(id) {
      const { rows } = await pool.query<Row>({
        name: 'api_keys_revoke',
        text: `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
        values: [id],
      });
      if (!rows[0]) throw new MeterlineError('not_found', `no API key ${JSON.stringify(id)}`);
      return toKey(rows[0]);
    },
    async list() {
      const { rows } = await pool.query<Row>({ name: 'api_keys_list', text: `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id` });
      return rows.map(toKey);
    },
  };
}
