import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { apiKeyAuth, cachedKeyLookup, memoryKeyStore, issueKey, confinedCustomer, type AuthEnv, hashSecret } from '../../../api/auth/index.js';
import { generateKey } from '../../../api/auth/keys.js';

async function setup(ttlMs = 0) {
  let clock = 1_000;
  const store = memoryKeyStore(() => clock);
  const app = new Hono<AuthEnv>();
  app.post('/w', apiKeyAuth({ lookup: cachedKeyLookup(store, { ttlMs, now: () => clock }), allow: ['agent'], action: 'write samples' }), (c) => c.json({ key: c.get('apiKey').id }));
  app.get('/r', apiKeyAuth({ lookup: cachedKeyLookup(store, { ttlMs: 0 }), allow: ['finance', 'customer'] }), (c) => c.json({ confined: confinedCustomer(c) ?? null }));
  const call = (path: string, auth?: string) => app.request(path, { method: path === '/w' ? 'POST' : 'GET', headers: auth ? { authorization: auth } : {} });
  return { store, call, tick: (ms: number) => (clock += ms) };
}

test('no key → 401 with WWW-Authenticate; malformed header and unknown key → 401 naming it', async () => {
  const t = await setup();
  const r = await t.call('/w');
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="meterline"');
  assert.deepEqual(await r.json(), { error: 'missing API key: send Authorization: Bearer <key>' });
  assert.match(((await (await t.call('/w', 'Basic abc')).json()) as { error: string }).error, /malformed Authorization header/);
  assert.deepEqual(await (await t.call('/w', `Bearer ${generateKey().secret}`)).json(), { error: 'unknown API key' });
  assert.equal((await t.call('/w', 'Bearer short')).status, 401);
});

test('allowed role passes and the key is on the context; other roles → 403 saying what is needed', async () => {
  const t = await setup();
  const agent = await issueKey(t.store, { role: 'agent' });
  const finance = await issueKey(t.store, { role: 'finance' });
  const ok = await t.call('/w', `Bearer ${agent.secret}`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { key: agent.key.id });
  const no = await t.call('/w', `bearer ${finance.secret}`);
  assert.equal(no.status, 403);
  assert.deepEqual(await no.json(), { error: 'a finance key may not write samples; this needs an agent key' });
  assert.equal((await t.call('/r', `Bearer ${agent.secret}`)).status, 403);
});

test('customer keys are confined to their customer; finance keys are not', async () => {
  const t = await setup();
  const cust = await issueKey(t.store, { role: 'customer', customer: 'acme' });
  const fin = await issueKey(t.store, { role: 'finance' });
  assert.deepEqual(await (await t.call('/r', `Bearer ${cust.secret}`)).json(), { confined: 'acme' });
  assert.deepEqual(await (await t.call('/r', `Bearer ${fin.secret}`)).json(), { confined: null });
  await assert.rejects(issueKey(t.store, { role: 'customer' }), /needs --customer/);
  await assert.rejects(issueKey(t.store, { role: 'agent', customer: 'acme' }), /not tied to a customer/);
});

test('a revoked key → 401 at once without cache, after the TTL with it', async () => {
  const t = await setup(10_000);
  const agent = await issueKey(t.store, { role: 'agent' });
  assert.equal((await t.call('/w', `Bearer ${agent.secret}`)).status, 200);
  await t.store.revoke(agent.key.id);
  // Cached for 10 s: the documented revocation delay.
  assert.equal((await t.call('/w', `Bearer ${agent.secret}`)).status, 200);
  t.tick(10_001);
  const r = await t.call('/w', `Bearer ${agent.secret}`);
  assert.equal(r.status, 401);
  assert.match(((await r.json()) as { error: string }).error, new RegExp(`API key ${agent.key.id} was revoked at`));
});

test('the store keeps only the SHA-256 of the secret', async () => {
  const t = await setup();
  const { secret, key } = await issueKey(t.store, { role: 'agent' });
  assert.match(secret, /^ml_[A-Za-z0-9_-]{43}$/);
  assert.equal((await t.store.findByHash(hashSecret(secret)))?.id, key.id);
  assert.equal(JSON.stringify(await t.store.list()).includes(secret.slice(3)), false);
});
