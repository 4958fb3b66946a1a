// Key lookups cached in memory: every request is authenticated, and a database round trip per
// request would cap ingest throughput and turn a database hiccup into an ingest outage.
// A revoked key must still stop working at once in every process, so a store with a change
// feed (invalidation.ts: PostgreSQL LISTEN/NOTIFY) drops the whole cache whenever any key
// changes, and answers are kept only while that feed is live (up to `liveTtlMs`). Without a
// live feed — none, or dropped — answers are kept only `ttlMs` (default 10 s), the bound a
// revocation may then take. Misses are cached too, so a client hammering with a wrong key does
// not hammer the database. ttlMs = 0 disables caching (tests).
import { MeterlineError } from '../../lib/errors.js';
import type { ApiKey } from './keys.js';
import { hashSecret } from './keys.js';
import type { KeyStore } from './store.js';

export type KeyLookup = (secret: string) => Promise<ApiKey | undefined>;

export interface CacheOptions {
  /** Lifetime of an answer when no live change feed vouches for it. */
  ttlMs?: number;
  /** Lifetime of an answer while the change feed is live (a backstop; changes clear it at once). */
  liveTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export const DEFAULT_KEY_CACHE_TTL_MS = 10_000;
export const DEFAULT_KEY_CACHE_LIVE_TTL_MS = 300_000;

interface Entry {
  key: ApiKey | undefined;
  cachedMs: number;
  generation: number;
}

export function cachedKeyLookup(store: Pick<KeyStore, 'findByHash' | 'invalidations'>, opts: CacheOptions = {}): KeyLookup {
  const ttlMs = opts.ttlMs ?? DEFAULT_KEY_CACHE_TTL_MS;
  const liveTtlMs = opts.liveTtlMs ?? DEFAULT_KEY_CACHE_LIVE_TTL_MS;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const feed = store.invalidations;
  feed?.subscribe(() => cache.clear());
  feed?.start();
  const generation = (): number => feed?.generation() ?? 0;

  const fresh = (e: Entry): boolean => {
    if (e.generation !== generation()) return false;
    const age = now() - e.cachedMs;
    return feed?.live() ? age < Math.max(liveTtlMs, ttlMs) : age < ttlMs;
  };

  return async (secret) => {
    const hash = hashSecret(secret);
    const id = hash.toString('base64');
    const hit = cache.get(id);
    if (hit && ttlMs > 0 && fresh(hit)) return hit.key;
    // Captured before the query: an answer read while a key changed is used once, never kept.
    const asked = generation();
    let key: ApiKey | undefined;
    try {
      key = await store.findByHash(hash);
    } catch (err) {
      throw new MeterlineError('unavailable', `cannot check the API key: ${(err as Error).message}`, { cause: err });
    }
    if (ttlMs > 0 && generation() === asked) {
      // Oldest-first eviction (Map keeps insertion order): a bound, not an LRU; enough here.
      cache.delete(id);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(id, { key, cachedMs: now(), generation: asked });
    }
    return key;
  };
}
