// An in-process app with the invoice and provisioning routes over a fresh database, plus keys
// of each role, for the API tests.
import { Hono } from 'hono';
import { cachedKeyLookup, issueKey, memoryKeyStore } from '../../api/auth/index.js';
import { mountInvoicing } from '../../invoicing/api-role.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import type { Catalog } from '../../catalog/types.js';
import { catalog } from './fixtures.js';

export interface TestApp {
  db: FreshDb;
  ctx: InvoicingContext;
  setNow(iso: string): void;
  call(method: string, path: string, opts?: { key?: string; body?: unknown }): Promise<{ status: number; body: Record<string, unknown> }>;
  keys: { finance: string; acme: string; beta: string; agent: string };
}

export async function testApp(label: string, nowIso: string, cat: Catalog = catalog()): Promise<TestApp> {
  const db = await freshDb(label);
  let now = Date.parse(nowIso);
  const ctx: InvoicingContext = { catalog: cat, now: () => now };
  await seedFromCatalog(db.pool, ctx.catalog);
  const store = memoryKeyStore();
  const keys = {
    finance: (await issueKey(store, { role: 'finance' })).secret,
    acme: (await issueKey(store, { role: 'customer', customer: 'acme' })).secret,
    beta: (await issueKey(store, { role: 'customer', customer: 'beta' })).secret,
    agent: (await issueKey(store, { role: 'agent' })).secret,
  };
  const app = new Hono();
  mountInvoicing(app, { pool: db.pool, ctx, lookup: cachedKeyLookup(store, { ttlMs: 0 }) });
  return {
    db,
    ctx,
    keys,
    setNow: (iso) => {
      now = Date.parse(iso);
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      const r = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    },
  };
}
