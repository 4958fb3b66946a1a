// Console sessions (SPEC §14) without server-side state: the signed-in key, the session's CSRF
// token and its expiry, sealed with AES-256-GCM into the HttpOnly cookie. Every page calls the
// HTTP API with that key, so a revoked key ends its sessions on the next request (after the key
// cache's few seconds), and nothing but the browser holding the cookie can use it. The seal key
// is one row in PostgreSQL (migration 070), shared by every api replica.
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { KeyRole } from '../api/auth/index.js';

export interface Session {
  /** The API key the user signed in with; sent as Bearer on every API call of the console. */
  key: string;
  role: KeyRole;
  customer?: string;
  /** Token every form of this session carries (double check beside SameSite=Strict). */
  csrf: string;
  expiresMs: number;
}

export const SESSION_COOKIE = 'ml_session';
/** A working day: long enough not to interrupt, short enough that a forgotten browser forgets. */
export const SESSION_TTL_MS = 12 * 3600_000;

export interface Sealer {
  seal(s: Omit<Session, 'csrf' | 'expiresMs'>, nowMs: number): { token: string; session: Session };
  unseal(token: string, nowMs: number): Session | undefined;
}

export function sealer(key: Buffer): Sealer {
  return {
    seal(s, nowMs) {
      const session: Session = { ...s, csrf: randomBytes(18).toString('base64url'), expiresMs: nowMs + SESSION_TTL_MS };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
      return { token: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url'), session };
    },
    unseal(token, nowMs) {
      const raw = Buffer.from(token, 'base64url');
      if (raw.length < 29) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const s = JSON.parse(text) as Session;
        return s.expiresMs > nowMs ? s : undefined;
      } catch {
        return undefined; // tampered, or sealed with another key: simply not signed in
      }
    },
  };
}

/** Constant-time comparison of a form's CSRF token with the session's. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The seal key: created once (by whichever replica comes first), read by all. */
export async function loadSealKey(pool: pg.Pool): Promise<Buffer> {
  await pool.query('INSERT INTO console_seal_key (id, seal_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
  const { rows } = await pool.query<{ seal_key: Buffer }>('SELECT seal_key FROM console_seal_key WHERE id = 1');
  return rows[0]!.seal_key;
}
