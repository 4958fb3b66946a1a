// Per-key rate limit: a token bucket per API key (refilled at `perSecond`, holding at most
// `burst`), counted before the key is even looked up, so a flood costs neither a database
// query nor a Kafka write. Over the limit: 429 with Retry-After (whole seconds until a token is
// back). The buckets live in each process (no Redis round trip on every request, and no
// outage of the limiter when Redis blips): with N replicas behind a load balancer a key may
// make up to N × perSecond requests a second — see docs/decisions.md. Keyed by the SHA-256 of
// the presented secret, never the secret itself; requests without a well-formed key pass
// through to the routes, which answer 401.
import type { MiddlewareHandler } from 'hono';
import { hashSecret, isWellFormedSecret } from '../auth/keys.js';

export interface KeyRateLimitOptions {
  /** Sustained requests per second per key (METERLINE_KEY_RATE_LIMIT); 0 turns the limit off. */
  perSecond: number;
  /** Requests a key may make at once after being idle (METERLINE_KEY_RATE_BURST). */
  burst: number;
  /** Most keys tracked; the least recently seen is forgotten (a forgotten key starts full). */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function keyRateLimit({ perSecond, burst, maxKeys = 100_000, now = Date.now }: KeyRateLimitOptions): MiddlewareHandler {
  const buckets = new Map<string, Bucket>();
  return async function keyRateLimitMiddleware(c, next) {
    const secret = perSecond > 0 ? BEARER.exec(c.req.header('authorization') ?? '')?.[1] : undefined;
    if (secret === undefined || !isWellFormedSecret(secret)) return next();
    const id = hashSecret(secret).toString('base64');
    const t = now();
    let b = buckets.get(id);
    if (b === undefined) {
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
      b = { tokens: burst, atMs: t };
    } else {
      b.tokens = Math.min(burst, b.tokens + ((t - b.atMs) / 1000) * perSecond);
      b.atMs = t;
      buckets.delete(id); // re-inserted below: the Map's order is then least recently seen first
    }
    buckets.set(id, b);
    if (b.tokens < 1) {
      const retryAfterS = Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
      c.header('Retry-After', String(retryAfterS));
      return c.json({ error: `rate limit: this API key made more than ${perSecond} requests a second (burst ${burst}; METERLINE_KEY_RATE_LIMIT); retry after ${retryAfterS} s` }, 429);
    }
    b.tokens -= 1;
    return next();
  };
}
