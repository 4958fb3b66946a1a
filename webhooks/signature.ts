// Standard Webhooks signing (SPEC §13): `webhook-signature: v1,<base64 HMAC-SHA256>` over
// "<webhook-id>.<webhook-timestamp>.<body>". Secrets are spelled like the convention's receiver
// libraries expect them, `whsec_<base64>`, and the HMAC key is the decoded bytes after the
// prefix — exactly what those libraries verify with.
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** 32 random bytes: a fresh endpoint secret, shown once. */
export const generateSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64');

const keyOf = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');

export function sign(secret: string, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

/** The three headers of one delivery attempt. */
export function webhookHeaders(secret: string, id: string, timestampS: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': sign(secret, id, timestampS, body),
  };
}
