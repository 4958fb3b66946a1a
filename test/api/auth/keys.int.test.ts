// API keys end to end: `meterline keys create|revoke|list` against a fresh, migrated database
// (migration 030), and the keys guarding POST /v1/samples: no key 401, wrong role 403,
// revoked key 401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Hono } from 'hono';
import { freshDb, type FreshDb } from '../../sinks/fresh-db.js';
import { apiKeyAuth, cachedKeyLookup, pgKeyStore, type AuthEnv } from '../../../api/auth/index.js';

const BIN = new URL('../../../bin/meterline.js', import.meta.url).pathname;
let db: FreshDb;

function meterline(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  db = await freshDb('keys');
});
after(async () => {
  await db?.drop();
});

test('keys create prints the key alone on the last line; only its hash is stored', async () => {
  const r = meterline('keys', 'create', '--role', 'agent', '--description', 'fra1 agents');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const secret = lines.at(-1) ?? '';
  assert.match(secret, /^ml_[A-Za-z0-9_-]{43}$/);
  assert.match(r.stderr, /created agent key key_[0-9a-f]{16}/);
  const { rows } = await db.pool.query<{ key_hash: Buffer; role: string; description: string }>('SELECT key_hash, role, description FROM api_keys');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.role, 'agent');
  assert.equal(rows[0]?.description, 'fra1 agents');
  const { createHash } = await import('node:crypto');
  assert.deepEqual(rows[0]?.key_hash, createHash('sha256').update(secret).digest());
  const dump = JSON.stringify((await db.pool.query('SELECT * FROM api_keys')).rows);
  assert.ok(!dump.includes(secret.slice(3)), 'the secret itself is not in the table');
});

test('bad usage is refused with a one-line reason', () => {
  const noRole = meterline('keys', 'create');
  assert.equal(noRole.code, 2);
  assert.match(noRole.stderr, /--role must be one of agent, finance, customer/);
  const noCustomer = meterline('keys', 'create', '--role', 'customer');
  assert.equal(noCustomer.code, 1);
  assert.match(noCustomer.stderr, /a customer key needs --customer ID/);
  const unknown = meterline('keys', 'revoke', 'key_0000000000000000');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no API key "key_0000000000000000"/);
});

test('POST /v1/samples guarded by keys from the database: 401 without, 403 wrong role, 401 revoked', async () => {
  const agent = meterline('keys', 'create', '--role', 'agent').stdout.trimEnd().split('\n').at(-1) ?? '';
  const customer = meterline('keys', 'create', '--role', 'customer', '--customer', 'acme').stdout.trimEnd().split('\n').at(-1) ?? '';
  const finance = meterline('keys', 'create', '--role', 'finance').stdout.trimEnd().split('\n').at(-1) ?? '';
  const app = new Hono<AuthEnv>();
  // Cache off: revocation must show at once here (production caches for 10 s, documented).
  app.post('/v1/samples', apiKeyAuth({ lookup: cachedKeyLookup(pgKeyStore(db.pool), { ttlMs: 0 }), allow: ['agent'], action: 'write samples' }), (c) => c.json({ ok: c.get('apiKey').id }, 202));
  const call = (key?: string) => app.request('/v1/samples', { method: 'POST', body: '[]', headers: key ? { authorization: `Bearer ${key}` } : {} });

  assert.equal((await call()).status, 401);
  assert.equal((await call(agent)).status, 202);
  const cust = await call(customer);
  assert.equal(cust.status, 403);
  assert.deepEqual(await cust.json(), { error: 'a customer key may not write samples; this needs an agent key' });
  assert.equal((await call(finance)).status, 403);

  const list = JSON.parse(meterline('keys', 'list', '--json').stdout) as { keys: { id: string; role: string; customer?: string; revokedAtMs?: number }[] };
  assert.equal(list.keys.find((k) => k.role === 'customer')?.customer, 'acme');
  // Revoke the key the request above authenticated with.
  const okId = ((await (await call(agent)).json()) as { ok: string }).ok;
  assert.ok(list.keys.some((k) => k.id === okId && k.revokedAtMs === undefined), 'listed as active before revoking');
  const rv = meterline('keys', 'revoke', okId);
  assert.equal(rv.code, 0, rv.stderr);
  assert.match(rv.stdout, new RegExp(`^revoked ${okId} at `));
  const after = await call(agent);
  assert.equal(after.status, 401);
  assert.match(((await after.json()) as { error: string }).error, new RegExp(`API key ${okId} was revoked`));
  assert.match(meterline('keys', 'list').stdout, new RegExp(`${okId}.*revoked`));
});
