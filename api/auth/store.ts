// Where API keys live. The contract is here; PostgreSQL (pg-store.ts) in production, memory in
// tests and the ingest benchmark.
import { MeterlineError } from '../../lib/errors.js';
import { memoryKeyInvalidations, type KeyInvalidations } from './invalidation.js';
import { generateKey, type ApiKey, type KeyRole } from './keys.js';

export interface NewKey {
  id: string;
  hash: Buffer;
  prefix: string;
  role: KeyRole;
  customer?: string;
  description?: string;
}

export interface KeyStore {
  /** The key with this secret hash, revoked or not; undefined when none. */
  findByHash(hash: Buffer): Promise<ApiKey | undefined>;
  create(key: NewKey): Promise<ApiKey>;
  /** Marks the key revoked (idempotent: revoking twice keeps the first time); not_found if no such id. */
  revoke(id: string): Promise<ApiKey>;
  list(): Promise<ApiKey[]>;
  /** Announces every change of a key, so caches drop what they hold at once (invalidation.ts). */
  invalidations?: KeyInvalidations;
}

export function validateNewKey(key: NewKey): void {
  if (key.role === 'customer' && !key.customer) throw new MeterlineError('validation', 'a customer key needs --customer ID');
  if (key.role !== 'customer' && key.customer) throw new MeterlineError('validation', `a ${key.role} key is not tied to a customer; drop --customer`);
}

export function memoryKeyStore(now: () => number = Date.now): KeyStore {
  const byId = new Map<string, ApiKey & { hash: Buffer }>();
  const strip = ({ hash: _h, ...k }: ApiKey & { hash: Buffer }): ApiKey => ({ ...k });
  const invalidations = memoryKeyInvalidations();
  return {
    invalidations,
    async findByHash(hash) {
      for (const k of byId.values()) if (k.hash.equals(hash)) return strip(k);
      return undefined;
    },
    async create(key) {
      validateNewKey(key);
      const rec: ApiKey & { hash: Buffer } = {
        id: key.id, hash: key.hash, prefix: key.prefix, role: key.role, createdAtMs: now(),
        ...(key.customer ? { customer: key.customer } : {}),
        ...(key.description ? { description: key.description } : {}),
      };
      byId.set(key.id, rec);
      invalidations.announce(key.id);
      return strip(rec);
    },
    async revoke(id) {
      const k = byId.get(id);
      if (!k) throw new MeterlineError('not_found', `no API key ${JSON.stringify(id)}`);
      k.revokedAtMs ??= now();
      invalidations.announce(id);
      return strip(k);
    },
    async list() {
      return [...byId.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id)).map(strip);
    },
  };
}

/** Creates a key and returns its secret: the only time the secret exists outside the caller. */
export async function issueKey(
  store: KeyStore,
  opts: { role: KeyRole; customer?: string; description?: string },
): Promise<{ key: ApiKey; secret: string }> {
  const g = generateKey();
  const key = await store.create({ id: g.id, hash: g.hash, prefix: g.prefix, ...opts });
  return { key, secret: g.secret };
}
