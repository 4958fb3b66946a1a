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

test('a revoked key → 401 at once, cache or not, when the store announces changes', async () => {
  const t = await setup(10_000);
  const agent = await issueKey(t.store, { role: 'agent' });
  assert.equal((await t.call('/w', `Bearer ${agent.secret}`)).status, 200); // now cached
  await t.store.revoke(agent.key.id);
  // no clock tick: the memory store's change feed cleared the cache
  const r = await t.call('/w', `Bearer ${agent.secret}`);
  assert.equal(r.status, 401);
  assert.match(((await r.json()) as { error: string }).error, new RegExp(`API key ${agent.key.id} was revoked at`));
});

test('a store without a change feed: a cached answer lasts ttlMs, no longer', async () => {
  let clock = 0;
  const inner = memoryKeyStore();
  const agent = await issueKey(inner, { role: 'agent' });
  let queries = 0;
  const lookup = cachedKeyLookup({ findByHash: (h) => (queries++, inner.findByHash(h)) }, { ttlMs: 10_000, now: () => clock });
  assert.equal((await lookup(agent.secret))?.id, agent.key.id);
  await inner.revoke(agent.key.id);
  clock += 9_999;
  assert.equal((await lookup(agent.secret))?.revokedAtMs, undefined, 'still the cached answer at 9.999 s');
  clock += 1;
  assert.notEqual((await lookup(agent.secret))?.revokedAtMs, undefined, 'read again at 10 s');
  assert.equal(queries, 2);
});

test('an answer read while a key changes is used once but never cached', async () => {
  const inner = memoryKeyStore();
  const agent = await issueKey(inner, { role: 'agent' });
  const feed = inner.invalidations!;
  let release: () => void = () => undefined;
  let queries = 0;
  // The first query is held open; the key is revoked (and announced) meanwhile.
  const store = {
    invalidations: feed,
    findByHash: async (h: Buffer) => {
      queries++;
      const answer = await inner.findByHash(h);
      if (queries === 1) await new Promise<void>((r) => (release = r));
      return answer;
    },
  };
  const lookup = cachedKeyLookup(store, { ttlMs: 60_000 });
  const first = lookup(agent.secret);
  await inner.revoke(agent.key.id);
  release();
  assert.equal((await first)?.revokedAtMs, undefined, 'the in-flight answer predates the revocation');
  assert.notEqual((await lookup(agent.secret))?.revokedAtMs, undefined, 'the next lookup reads again');
  assert.equal(queries, 2);
});

test('the store keeps only the SHA-256 of the secret', async () => {
  const t = await setup();
  const { secret, key } = await issueKey(t.store, { role: 'agent' });
  assert.match(secret, /^ml_[A-Za-z0-9_-]{43}$/);
  assert.equal((await t.store.findByHash(hashSecret(secret)))?.id, key.id);
  assert.equal(JSON.stringify(await t.store.list()).includes(secret.slice(3)), false);
});
