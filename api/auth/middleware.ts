// Hono middleware: `Authorization: Bearer <key>` → the caller's ApiKey in c.var.apiKey, or
// 401 (no key, unknown key, revoked key) / 403 (a role this route does not allow) with a JSON
// body naming the problem. One factory for every route: each passes the roles it allows.
import type { Context, MiddlewareHandler } from 'hono';
import { isKind } from '../../lib/errors.js';
import type { KeyLookup } from './cache.js';
import { isWellFormedSecret, type ApiKey, type KeyRole } from './keys.js';

export type AuthEnv = { Variables: { apiKey: ApiKey } };

export interface ApiKeyAuthOptions {
  lookup: KeyLookup;
  /** Roles allowed on the routes behind this middleware. */
  allow: readonly KeyRole[];
  /** What the routes do, for the 403 message: "write samples", "read invoices". */
  action?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

export function apiKeyAuth({ lookup, allow, action = 'use this endpoint' }: ApiKeyAuthOptions): MiddlewareHandler<AuthEnv> {
  const unauthorized = (c: Context, error: string) => {
    c.header('WWW-Authenticate', 'Bearer realm="meterline"');
    return c.json({ error }, 401);
  };
  return async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header('authorization');
    if (!header) return unauthorized(c, 'missing API key: send Authorization: Bearer <key>');
    const secret = BEARER.exec(header)?.[1];
    if (!secret) return unauthorized(c, 'malformed Authorization header: expected "Bearer <key>"');
    let key: ApiKey | undefined;
    if (isWellFormedSecret(secret)) {
      try {
        key = await lookup(secret);
      } catch (err) {
        if (isKind(err, 'unavailable')) {
          c.header('Retry-After', '5');
          return c.json({ error: err.message }, 503);
        }
        throw err;
      }
    }
    if (!key) return unauthorized(c, 'unknown API key');
    if (key.revokedAtMs !== undefined) return unauthorized(c, `API key ${key.id} was revoked at ${new Date(key.revokedAtMs).toISOString()}`);
    if (!allow.includes(key.role)) {
      return c.json({ error: `${article(key.role)} ${key.role} key may not ${action}; this needs ${allow.map((r) => `${article(r)} ${r}`).join(' or ')} key` }, 403);
    }
    c.set('apiKey', key);
    await next();
  };
}

/** The customer a customer key is confined to; undefined for roles that see every customer. */
export const confinedCustomer = (c: Context<AuthEnv>): string | undefined => {
  const key = c.get('apiKey');
  return key?.role === 'customer' ? key.customer : undefined;
};
