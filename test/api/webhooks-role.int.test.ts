// POST /v1/webhooks on the api role as a deployment without METERLINE_WEBHOOK_KEY runs it
// (SPEC §13: POST /v1/webhooks → {id, secret}, the secret shown once; http and loopback URLs
// allowed by METERLINE_WEBHOOKS_ALLOW_PRIVATE=true). Outside production the development key
// stands in, so the spec's webhook flow works with only the variables the spec names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiRole } from '../../api/role.js';
import { issueKey, pgKeyStore } from '../../api/auth/index.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { roleServer, type RoleServer } from '../../observability/serve.js';
import type { RunningRole } from '../../roles/role.js';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

let db: FreshDb;
let dir: string;
let server: RoleServer;
let role: RunningRole;
let base = '';
let finance = '';

before(async () => {
  db = await freshDb('api_webhooks_role');
  dir = mkdtempSync(join(tmpdir(), 'meterline-webhooks-'));
  writeFileSync(join(dir, 'catalog.yaml'), CATALOG_TEXT);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, METERLINE_CATALOG: join(dir, 'catalog.yaml'), PORT: '0', METERLINE_WEBHOOKS_ALLOW_PRIVATE: 'true' };
  delete env.METERLINE_WEBHOOK_KEY;
  assert.notEqual(process.env.NODE_ENV, 'production', 'this test runs as a development deployment');
  server = roleServer(loadConfig(env), createLogger('silent'), ['api']);
  role = await apiRole().start(server.context);
  base = `http://127.0.0.1:${(await server.listen()).port}`;
  finance = (await issueKey(pgKeyStore(db.pool), { role: 'finance' })).secret;
});
after(async () => {
  await server?.stop();
  await role?.stop();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${finance}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test('without METERLINE_WEBHOOK_KEY (not production): POST /v1/webhooks → 201 {id, secret}; the list never shows the secret', async () => {
  const url = 'http://127.0.0.1:9/hooks'; // loopback over http: allowed by METERLINE_WEBHOOKS_ALLOW_PRIVATE=true
  const r = await call('POST', '/v1/webhooks', { url, events: ['invoice.finalized', 'credit_note.created', 'usage.alert'] });
  const created = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 201, JSON.stringify(created));
  assert.match(String(created.id), /\S/);
  assert.match(String(created.secret), /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret: whsec_ + base64 of 32 bytes');
  const stored = await db.pool.query<{ secret_enc: Buffer }>('SELECT secret_enc FROM webhooks WHERE id = $1', [created.id]);
  assert.equal(stored.rows[0]?.secret_enc.includes(Buffer.from(String(created.secret))), false, 'stored sealed, not as given');

  const list = (await (await call('GET', '/v1/webhooks')).json()) as { webhooks: Record<string, unknown>[] };
  assert.deepEqual(list.webhooks.map((w) => [w.id, w.url, w.events]), [[created.id, url, ['invoice.finalized', 'credit_note.created', 'usage.alert']]]);
  assert.equal(JSON.stringify(list).includes(String(created.secret)), false, 'the secret is shown once');
  const deliveries = await call('GET', `/v1/webhooks/${String(created.id)}/deliveries`);
  assert.equal(deliveries.status, 200);
  assert.equal((await call('DELETE', `/v1/webhooks/${String(created.id)}`)).status, 204);
});

test('the body is read as JSON whatever Content-Type says, like every other JSON route of the API', async () => {
  // fetch sends a string body as text/plain;charset=UTF-8, curl -d as a form, some clients none.
  for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', undefined]) {
    const r = await fetch(`${base}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${finance}`, ...(type ? { 'content-type': type } : {}) },
      body: new TextEncoder().encode(JSON.stringify({ url: 'http://127.0.0.1:9/plain', events: ['usage.alert'] })),
    });
    assert.equal(r.status, 201, `${type ?? 'no Content-Type'}: ${await r.text()}`);
  }
  const notJson = await fetch(`${base}/v1/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${finance}` }, body: 'url=http://x' });
  assert.equal(notJson.status, 400, 'a body that is not JSON is still refused, naming why');
  assert.match(String(((await notJson.json()) as { error?: string }).error), /body: not valid JSON/);
});
