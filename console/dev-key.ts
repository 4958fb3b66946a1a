// The development sign-in of `npm start` (never in production): a finance key created on the
// first start and printed once — only its hash is stored, so later starts can say that it
// exists but not show it again.
import type pg from 'pg';
import { issueKey, pgKeyStore, type ApiKey } from '../api/auth/index.js';

export const DEV_KEY_DESCRIPTION = 'development key (npm start; not for production)';

/** The dev key: `secret` only when it was created now. */
export async function ensureDevKey(pool: pg.Pool): Promise<{ key: ApiKey; secret?: string }> {
  const store = pgKeyStore(pool);
  const existing = (await store.list()).find((k) => k.description === DEV_KEY_DESCRIPTION && k.revokedAtMs === undefined);
  if (existing) return { key: existing };
  return issueKey(store, { role: 'finance', description: DEV_KEY_DESCRIPTION });
}
