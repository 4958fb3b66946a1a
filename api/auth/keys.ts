// API keys (SPEC §10): a key is 32 random bytes (256 bits) shown once at creation; only its
// SHA-256 is stored. A slow password hash (bcrypt, argon2) protects low-entropy secrets from
// guessing; a 256-bit random key cannot be guessed, so a plain SHA-256 is enough and lets the
// database find a key by an index lookup on every request.
import { createHash, randomBytes } from 'node:crypto';

export const KEY_ROLES = ['agent', 'finance', 'customer'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export interface ApiKey {
  /** Public id (`key_…`): logs, DLQ records and `keys revoke` name this, never the secret. */
  id: string;
  role: KeyRole;
  /** The one customer a customer key may read; undefined for agent and finance keys. */
  customer?: string;
  createdAtMs: number;
  revokedAtMs?: number;
  /** First characters of the secret, so an operator can tell keys apart in `keys list`. */
  prefix: string;
  description?: string;
}

/** `ml_` marks a meterline key in logs and secret scanners; base64url keeps it header-safe. */
export const SECRET_PREFIX = 'ml_';
const SECRET_FORMAT = /^ml_[A-Za-z0-9_-]{43}$/;

export const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export const isWellFormedSecret = (secret: string): boolean => SECRET_FORMAT.test(secret);

export function generateKey(): { id: string; secret: string; hash: Buffer; prefix: string } {
  const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
  return { id: `key_${randomBytes(8).toString('hex')}`, secret, hash: hashSecret(secret), prefix: secret.slice(0, 8) };
}

export const isKeyRole = (v: string): v is KeyRole => (KEY_ROLES as readonly string[]).includes(v);
