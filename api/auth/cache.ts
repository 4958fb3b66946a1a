// Key lookups cached in memory for a short time: every request is authenticated, and a
// database round trip per request would cap ingest throughput and turn a database hiccup
// into an ingest outage. The price: a revoked key keeps working for up to `ttlMs` on each
// process (default 10 s; documented). Misses are cached too, so a client hammering with a
// wrong key does not hammer the database. ttlMs = 0 disables caching (tests).
import { MeterlineError } from '../../lib/errors.js';
import type { ApiKey } from './keys.js';
import { hashSecret } from './keys.js';
import type { KeyStore } from './store.js';

export type KeyLookup = (secret: string) => Promise<ApiKey | undefined>;

export interface CacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export const DEFAULT_KEY_CACHE_TTL_MS = 10_000;

export function cachedKeyLookup(store: Pick<KeyStore, 'findByHash'>, opts: CacheOptions = {}): KeyLookup {
  const ttlMs = opts.ttlMs ?? DEFAULT_KEY_CACHE_TTL_MS;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { key: ApiKey | undefined; expiresMs: number }>();

  return async (secret) => {
    const hash = hashSecret(secret);
    const id = hash.toString('base64');
    const hit = cache.get(id);
    if (hit && hit.expiresMs > now()) return hit.key;
    let key: ApiKey | undefined;
    try {
      key = await store.findByHash(hash);
    } catch (err) {
      throw new MeterlineError('unavailable', `cannot check the API key: ${(err as Error).message}`, { cause: err });
    }
    if (ttlMs > 0) {
      // Oldest-first eviction (Map keeps insertion order): a bound, not an LRU; enough here.
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.delete(id);
      cache.set(id, { key, expiresMs: now() + ttlMs });
    }
    return key;
  };
}
