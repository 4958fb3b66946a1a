// The api role as `meterline api` assembles it — the API routes behind their guards and the web
// console after them — on a fresh database with real hashed keys, rollups in the rollup store
// (for /v1/rollups) and the same parts rated into drafts (for /v1/invoices), served on a
// loopback port for a real browser. The clock is the test's, so periods can end on demand.
import { createApp } from '../../api/app.js';
import { cachedKeyLookup, issueKey, pgKeyStore, type KeyStore } from '../../api/auth/index.js';
import { mountApi } from '../../api/role.js';
import { listen, type HttpServer } from '../../api/serve.js';
import { mountConsole } from '../../console/index.js';
import { loadSealKey } from '../../console/session.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { createLogger } from '../../observability/log.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { syncCatalog } from '../../sinks/catalog-sync.js';
import { storeParts } from '../../sinks/store.js';
import { at, catalog, requestsPart } from '../invoicing/fixtures.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { randomBytes } from 'node:crypto';
import { secretBox } from '../../webhooks/secret-box.js';

export interface ConsoleApp {
  url: string;
  db: FreshDb;
  store: KeyStore;
  keys: { finance: string; acme: string; beta: string; agent: string };
  setNow(iso: string): void;
  /** The API as a client with a Bearer key sees it (the reference the pages are checked against). */
  api<T>(path: string, key: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * acme rents srv-1 all October; beta rents srv-2 from Oct 10 12:30 to Oct 12 03:00 (fixtures.ts);
 * srv-9 is rented by no one (finance sees its usage, no customer does): `d × 11.5` requests at
 * noon of each day d = 1…19.
 */
export const PARTS: RollupPart[] = [
  ...Array.from({ length: 19 }, (_, i) => requestsPart('srv-9', `2026-10-${String(i + 1).padStart(2, '0')}T12:00:00Z`, ((i + 1) * 11.5).toFixed(1))),
  requestsPart('srv-1', '2026-10-02T10:00:00Z', '150'),
  requestsPart('srv-1', '2026-10-02T10:01:00Z', '25.5'),
  requestsPart('srv-1', '2026-10-02T13:30:00Z', '70'),
  requestsPart('srv-1', '2026-10-03T08:00:00Z', '1234.567'),
  requestsPart('srv-2', '2026-10-11T09:00:00Z', '999'),
];

export async function consoleApp(label: string, nowIso: string): Promise<ConsoleApp> {
  const db = await freshDb(label);
  let nowMs = Date.parse(nowIso);
  const now = () => nowMs;
  const cat = catalog();
  await seedFromCatalog(db.pool, cat);
  await syncCatalog(db.pool, cat);
  const client = await db.pool.connect();
  try {
    await storeParts(client, PARTS.map((part) => ({ part })));
  } finally {
    client.release();
  }
  await insertParts(db.pool, PARTS.map((part) => ({ part, at: at() })));
  const store = pgKeyStore(db.pool);
  const keys = {
    finance: (await issueKey(store, { role: 'finance' })).secret,
    acme: (await issueKey(store, { role: 'customer', customer: 'acme' })).secret,
    beta: (await issueKey(store, { role: 'customer', customer: 'beta' })).secret,
    agent: (await issueKey(store, { role: 'agent' })).secret,
  };
  // No key cache: a revoked key must end its sessions on the very next page.
  const lookup = cachedKeyLookup(store, { ttlMs: 0 });
  const app = createApp({ log: createLogger('silent') });
  const ctx = mountApi(app, { pool: db.pool, catalog: cat, lookup, now, webhooks: { box: secretBox(randomBytes(32)), allowPrivate: true } });
  await syncAll(db.pool, ctx);
  mountConsole(app, { catalog: cat, lookup, sealKey: await loadSealKey(db.pool), now });
  const http: HttpServer = await listen(app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${http.port}`,
    db,
    store,
    keys,
    setNow: (iso) => {
      nowMs = Date.parse(iso);
    },
    async api<T>(path: string, key: string) {
      const res = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop() {
      await http.stop();
      await db.drop();
    },
  };
}
