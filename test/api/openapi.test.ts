// /openapi.json is generated from the route specs, and the specs cover every route the app
// mounts: built with the production mount functions (ingest routes + the api role's), no
// services needed (the pool never connects; no request here reaches the database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import pg from 'pg';
import { parseCatalog } from '../../catalog/load.js';
import { createApp } from '../../api/app.js';
import { guardRoutes } from '../../api/access/index.js';
import { apiKeyAuth, cachedKeyLookup, memoryKeyStore, issueKey } from '../../api/auth/index.js';
import { ALL_ROUTES, INGEST_ROUTES, openApiPath } from '../../api/openapi/index.js';
import { mountApi } from '../../api/role.js';
import { nagiosRoute } from '../../api/routes/nagios.js';
import { samplesRoute } from '../../pipeline/ingest/route.js';
import { createLogger } from '../../observability/log.js';
import { createMetrics } from '../../observability/metrics.js';
import { CATALOG_TEXT } from './access-app.js';

async function fullApp() {
  const store = memoryKeyStore();
  const finance = (await issueKey(store, { role: 'finance' })).secret;
  const lookup = cachedKeyLookup(store, { ttlMs: 0 });
  const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  const publisher = { publish: async () => undefined };
  const limits = { maxBodyBytes: 1 << 20, maxBatchSamples: 10, maxSampleAgeMs: 1, maxClockSkewMs: 1 };
  const app = createApp({ log: createLogger('silent'), metrics: createMetrics() });
  guardRoutes(app, INGEST_ROUTES, lookup);
  app.route('/', samplesRoute({ publisher, limits, auth: apiKeyAuth({ lookup, allow: ['agent'] }) }) as unknown as Hono);
  app.route('/', nagiosRoute({ publisher, pool, limits }) as unknown as Hono);
  mountApi(app, { pool, catalog: parseCatalog(CATALOG_TEXT), lookup });
  return { app, finance, pool };
}

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>; responses: Record<string, unknown>; security: unknown[] }>>;
}

test('every route the app mounts is in /openapi.json, and every documented route is mounted', async () => {
  const { app, pool } = await fullApp();
  const doc = (await (await app.request('/openapi.json')).json()) as Doc;
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  // hono lists middleware as method ALL; everything else is a route with a handler.
  const mounted = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`));
  assert.deepEqual([...mounted].filter((r) => !documented.has(r)), [], 'mounted but not documented');
  assert.deepEqual([...documented].filter((r) => !mounted.has(r)), [], 'documented but not mounted');
  // 4 operations routes, 3 ingest, 10 API (SPEC §10), 3 credit-note routes (§12.4), 4 webhook routes (§13), what-if (§14).
  assert.equal(documented.size, 25);
  await pool.end();
});

test('the document carries the validation schemas, and they are what validates requests', async () => {
  const { app, finance, pool } = await fullApp();
  const doc = (await (await app.request('/openapi.json')).json()) as Doc;
  const avail = doc.paths['/v1/availability']!.get!;
  const period = avail.parameters!.find((p) => p.name === 'period')!;
  assert.equal(period.in, 'query');
  assert.equal(period.required, true);
  assert.equal(period.schema.pattern, '^\\d{4}-(0[1-9]|1[0-2])$');
  const explain = doc.paths['/v1/invoices/{id}/lines/{n}/explain']!.get!;
  assert.deepEqual(explain.parameters!.map((p) => `${p.in}:${p.name}`), ['path:id', 'path:n', 'query:limit', 'query:offset']);
  // The same schema refuses the request, naming the parameter (before any database access).
  const r = await app.request('/v1/availability?server_id=srv-1&period=2026-13', { headers: { authorization: `Bearer ${finance}` } });
  assert.equal(r.status, 400);
  assert.deepEqual(((await r.json()) as { problems: Array<{ path: string }> }).problems.map((p) => p.path), ['period']);
  const g = await app.request('/v1/rollups?granularity=week', { headers: { authorization: `Bearer ${finance}` } });
  assert.equal(g.status, 400);
  const rollups = doc.paths['/v1/rollups']!.get!;
  assert.deepEqual(rollups.parameters!.find((p) => p.name === 'granularity')!.schema.enum, ['minute', 'hour', 'day', 'month']);
  await pool.end();
});

test('operation ids are unique; keyed routes declare the bearer scheme and their roles', () => {
  const ids = ALL_ROUTES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of ALL_ROUTES) {
    if (r.access.public === true) continue;
    assert.ok(r.access.roles.length > 0, r.id);
    assert.ok(r.responses[401] && r.responses[403], `${r.id} documents 401 and 403`);
  }
});
