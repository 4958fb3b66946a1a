// An empty query parameter (`?customer=&period=`, as SPEC §10 writes the routes and as an HTML
// form sends a blank field) is the parameter not given: an optional one takes its default, a
// required one is named as required. Checked against the real route schemas of /openapi.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { ALL_ROUTES, validateRequest, type Method } from '../../api/openapi/index.js';
import { parseCatalog } from '../../catalog/load.js';
import { parseRollupQuery } from '../../api/routes/rollups.js';

function validated(method: Method, path: string): Hono {
  const spec = ALL_ROUTES.find((r) => r.method === method && r.path === path);
  assert.ok(spec, `${method} ${path} is a route`);
  const app = new Hono();
  app.on(method.toUpperCase(), path, validateRequest(spec), (c) => c.json({ passed: true }));
  return app;
}

test('SPEC §10 GET /v1/invoices?customer=&period= and GET /v1/rollups?server_id=&customer=&meter=&from=&to=&granularity= pass validation', async () => {
  const invoices = await validated('get', '/v1/invoices').request('/v1/invoices?customer=&period=');
  assert.equal(invoices.status, 200, await invoices.clone().text());
  const rollups = await validated('get', '/v1/rollups').request('/v1/rollups?server_id=&customer=&meter=&from=&to=&granularity=');
  assert.equal(rollups.status, 200, await rollups.clone().text());
  const subs = await validated('get', '/v1/subscriptions').request('/v1/subscriptions?server_id=&customer=');
  assert.equal(subs.status, 200);
});

test('an empty required parameter is named as required; a bad non-empty one is still refused', async () => {
  const finalize = await validated('post', '/v1/invoices/finalize').request('/v1/invoices/finalize?period=', { method: 'POST' });
  assert.equal(finalize.status, 422);
  assert.deepEqual(((await finalize.json()) as { problems: unknown }).problems, [{ path: 'period', message: 'required' }]);
  const bad = await validated('get', '/v1/invoices').request('/v1/invoices?period=2026-13');
  assert.equal(bad.status, 422);
});

test('rollups: an empty granularity is the default hour', () => {
  const catalog = parseCatalog(`
currency: USD
timezone: UTC
meters: { req: { metric: r, kind: delta, unit: request } }
plans: { p: { base_fee: { amount: "1.00", per: month } } }
`);
  const q = parseRollupQuery({ granularity: '', from: '', to: '', meter: '' }, catalog, Date.parse('2026-10-15T00:00:00Z'));
  assert.deepEqual(q, { granularity: 'hour', timezone: 'UTC', fromMs: Date.parse('2026-10-01T00:00:00Z') });
});
