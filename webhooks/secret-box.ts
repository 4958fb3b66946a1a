// Webhook signing secrets at rest: AES-256-GCM under METERLINE_WEBHOOK_KEY. The secret must be
// recoverable (every delivery signs with it), so it is encrypted rather than hashed; the key
// lives only in the environment, so a database dump alone cannot forge deliveries.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MeterlineError } from '../lib/errors.js';

const NONCE = 12;
const TAG = 16;

/** The key from its environment spelling: 64 hex digits, or base64 of 32 bytes. Undefined = bad. */
export function parseWebhookKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}

export interface SecretBox {
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new MeterlineError('config', 'METERLINE_WEBHOOK_KEY: must be 32 bytes');
  return {
    seal(plain) {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
        decipher.setAuthTag(sealed.subarray(NONCE, NONCE + TAG));
        return Buffer.concat([decipher.update(sealed.subarray(NONCE + TAG)), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new MeterlineError('config', 'a webhook secret does not decrypt with METERLINE_WEBHOOK_KEY (was the key changed?)', { cause: err });
      }
    },
  };
}
