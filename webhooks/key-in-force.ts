// Which key seals webhook signing secrets. SPEC §13 promises `POST /v1/webhooks` → {id, secret}
// and names no key, so a development or test deployment without METERLINE_WEBHOOK_KEY must still
// have working webhooks: outside production (NODE_ENV ≠ production) a fixed, public development
// key stands in, and the roles say so at start. It protects nothing at rest — anyone with the
// source can open those secrets — which is why production (the Dockerfile and the chart set
// NODE_ENV=production) keeps refusing webhooks (503) until a real key is configured.
import { createHash } from 'node:crypto';

/** Public by design (it is in the source): a stand-in for development, never a protection. */
export const DEVELOPMENT_WEBHOOK_KEY: Buffer = createHash('sha256').update('meterline development webhook key (public, not a secret)').digest();

export interface WebhookKey {
  key: Buffer;
  /** True when the public development key stands in for METERLINE_WEBHOOK_KEY. */
  development: boolean;
}

/** The configured key; without one, the development key unless NODE_ENV=production (then none). */
export function webhookKeyInForce(configured: Buffer | undefined, env: NodeJS.ProcessEnv = process.env): WebhookKey | undefined {
  if (configured) return { key: configured, development: false };
  if (env.NODE_ENV === 'production') return undefined;
  return { key: DEVELOPMENT_WEBHOOK_KEY, development: true };
}

export const DEVELOPMENT_KEY_WARNING =
  'webhooks: METERLINE_WEBHOOK_KEY not set; signing secrets are sealed under the public development key (NODE_ENV is not production) — set METERLINE_WEBHOOK_KEY for anything real';
