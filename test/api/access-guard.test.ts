// The access guard on its own (no database): in front of a handler that confines nothing, it
// still refuses what the spec forbids, so a route written without care cannot widen access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { guardRoutes } from '../../api/access/index.js';
import { cachedKeyLookup, issueKey, memoryKeyStore } from '../../api/auth/index.js';
import { API_ROUTES } from '../../api/openapi/index.js';

async function guarded() {
  const store = memoryKeyStore();
  const keys = {
    acme: (await issueKey(store, { role: 'customer', customer: 'acme' })).secret,
    finance: (await issueKey(store, { role: 'finance' })).secret,
    agent: (await issueKey(store, { role: 'agent' })).secret,
  };
  const app = new Hono();
  guardRoutes(app, API_ROUTES, cachedKeyLookup(store, { ttlMs: 0 }));
  // Careless handlers: they answer whatever is asked.
  app.get('/v1/rollups', (c) => c.json({ customer: c.req.query('customer') ?? 'all' }));
  app.post('/v1/invoices/finalize', (c) => c.json({ finalized: c.req.query('period') }));
  const call = async (method: string, path: string, key?: string) =>
    (await app.request(path, { method, headers: key ? { authorization: `Bearer ${key}` } : {} })).status;
  return { keys, call };
}

test("a customer key naming another customer is stopped by the guard, before the handler", async () => {
  const { keys, call } = await guarded();
  assert.equal(await call('GET', '/v1/rollups?customer=beta', keys.acme), 403);
  assert.equal(await call('GET', '/v1/rollups?customer=acme', keys.acme), 200);
  assert.equal(await call('GET', '/v1/rollups?customer=beta', keys.finance), 200);
});

test('roles and validation come from the spec', async () => {
  const { keys, call } = await guarded();
  assert.equal(await call('GET', '/v1/rollups'), 401);
  assert.equal(await call('GET', '/v1/rollups', keys.agent), 403);
  assert.equal(await call('POST', '/v1/invoices/finalize?period=2026-10', keys.acme), 403);
  assert.equal(await call('POST', '/v1/invoices/finalize?period=2026-10', keys.finance), 200);
  assert.equal(await call('POST', '/v1/invoices/finalize?period=October', keys.finance), 422);
  assert.equal(await call('POST', '/v1/invoices/finalize', keys.finance), 422);
});
