// The whole HTTP API as `meterline run` assembles it — ingest routes (samples, Nagios) and the
// api role's routes behind their spec guards, on the shared app with its middleware — over a
// fresh database with real hashed keys in api_keys. Kafka is replaced by a recording publisher
// (the e2e test covers the real one); everything else is the production wiring.
import type { Hono } from 'hono';
import { parseCatalog } from '../../catalog/load.js';
import { createApp } from '../../api/app.js';
import { guardRoutes } from '../../api/access/index.js';
import { apiKeyAuth, cachedKeyLookup, issueKey, pgKeyStore } from '../../api/auth/index.js';
import { INGEST_ROUTES } from '../../api/openapi/index.js';
import { mountApi } from '../../api/role.js';
import { nagiosRoute } from '../../api/routes/nagios.js';
import { samplesRoute } from '../../pipeline/ingest/route.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { recomputeCustomer } from '../../invoicing/drafts.js';
import { customersAffectedByStates } from '../../nagios/store/index.js';
import { createLogger } from '../../observability/log.js';
import { createMetrics, type Metrics } from '../../observability/metrics.js';
import type { IngestBatch, IngestPublisher } from '../../pipeline/ingest/publisher.js';
import { syncCatalog } from '../../sinks/catalog-sync.js';
import { secretBox } from '../../webhooks/secret-box.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

// Two customers, one server each, a monthly plan with an SLA (SPEC §5 form).
export const CATALOG_TEXT = `
currency: USD
timezone: UTC
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
    charges:
      - { meter: requests, model: per_unit, unit_price: "0.01" }
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" } ]
hosts:
  web01.fra1: srv-1
customers:
  acme: {}
  beta: {}
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-10-01T00:00:00Z" }
  - { server_id: srv-2, customer: beta, plan: monthly, from: "2026-10-01T00:00:00Z" }
`;

export interface KeySet {
  agent: string;
  finance: string;
  /** customer key of acme */
  acme: string;
  /** customer key of beta */
  beta: string;
  revoked: string;
}

export interface AccessApp {
  app: Hono;
  db: FreshDb;
  ctx: InvoicingContext;
  keys: KeySet;
  metrics: Metrics;
  published: IngestBatch[];
  call(method: string, path: string, opts?: { key?: string; body?: string; type?: string; headers?: Record<string, string> }): Promise<{ status: number; text: string; json: unknown; headers: Headers }>;
}

export async function accessApp(label: string, nowIso: string): Promise<AccessApp> {
  const db = await freshDb(label);
  const catalog = parseCatalog(CATALOG_TEXT);
  const now = () => Date.parse(nowIso);
  await seedFromCatalog(db.pool, catalog);
  await syncCatalog(db.pool, catalog);
  const store = pgKeyStore(db.pool);
  const revoked = await issueKey(store, { role: 'agent' });
  await store.revoke(revoked.key.id);
  const keys: KeySet = {
    agent: (await issueKey(store, { role: 'agent' })).secret,
    finance: (await issueKey(store, { role: 'finance' })).secret,
    acme: (await issueKey(store, { role: 'customer', customer: 'acme' })).secret,
    beta: (await issueKey(store, { role: 'customer', customer: 'beta' })).secret,
    revoked: revoked.secret,
  };
  const lookup = cachedKeyLookup(store, { ttlMs: 0 });
  const published: IngestBatch[] = [];
  const publisher: IngestPublisher = {
    async publish(batch) {
      published.push(batch);
    },
  };
  const metrics = createMetrics();
  const log = createLogger('silent');
  const app = createApp({ log, metrics });
  const limits = { maxBodyBytes: 1 << 20, maxBatchSamples: 1000, maxSampleAgeMs: 35 * 86_400_000, maxClockSkewMs: 300_000 };
  guardRoutes(app, INGEST_ROUTES, lookup);
  app.route('/', samplesRoute({ publisher, limits, auth: apiKeyAuth({ lookup, allow: ['agent'], action: 'write samples' }), now, metrics }) as unknown as Hono);
  // Webhooks as a configured api role has them (a 32-byte METERLINE_WEBHOOK_KEY), so finance can create one.
  const webhooks = { box: secretBox(Buffer.alloc(32, 7)), allowPrivate: false };
  const ctx = mountApi(app, { pool: db.pool, catalog, lookup, now, webhooks });
  // As nagiosDraftRecompute wires it in the ingest role: new host states recompute the drafts.
  const onStatesStored = async (changed: Parameters<typeof customersAffectedByStates>[1]) => {
    for (const [customer, labels] of await customersAffectedByStates(db.pool, changed, catalog.timezone, now())) {
      await recomputeCustomer(db.pool, ctx, customer, labels);
    }
  };
  app.route('/', nagiosRoute({ publisher, pool: db.pool, limits, hosts: catalog.hosts, now, metrics, onStatesStored }) as unknown as Hono);
  return {
    app,
    db,
    ctx,
    keys,
    metrics,
    published,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
      const res = await app.request(path, { method, headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json, headers: res.headers };
    },
  };
}
