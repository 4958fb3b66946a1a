// API keys end to end: `meterline keys create|revoke|list` against a fresh, migrated database
// (migration 030), and the keys guarding POST /v1/samples: no key 401, wrong role 403,
// revoked key 401 — at once in every process, through the change feed (migration 080).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Hono } from 'hono';
import { freshDb, type FreshDb } from '../../sinks/fresh-db.js';
import { apiKeyAuth, cachedKeyLookup, hashSecret, pgKeyStore, type AuthEnv } from '../../../api/auth/index.js';
import type { KeyInvalidations } from '../../../api/auth/invalidation.js';
import { createPool } from '../../../db/pool.js';

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

/** Resolves when the feed reports a change matching `reason` (subscribed before anything can happen). */
function nextChange(feed: KeyInvalidations, reason: string): Promise<void> {
  return new Promise((resolve) => {
    const off = feed.subscribe((r) => {
      if (r === reason) {
        off();
        resolve();
      }
    });
  });
}

/** One simulated process: its own pool, key store (with its LISTEN feed), cache and app. */
function keyProcess(name: string) {
  const pool = createPool({ url: db.url, ssl: false, poolSize: 2 }, { applicationName: `test-keys-${name}` });
  const store = pgKeyStore(pool, { minRetryMs: 50, maxRetryMs: 200 });
  const feed = store.invalidations!;
  const connected = feed.live() ? Promise.resolve() : nextChange(feed, 'feed connected');
  let queries = 0;
  // Cached for an hour: only the change feed can make this process notice a revocation.
  const lookup = cachedKeyLookup({ invalidations: feed, findByHash: (h) => (queries++, store.findByHash(h)) }, { ttlMs: 3_600_000, liveTtlMs: 3_600_000 });
  const app = new Hono<AuthEnv>();
  app.post('/v1/samples', apiKeyAuth({ lookup, allow: ['agent'], action: 'write samples' }), (c) => c.json({ ok: c.get('apiKey').id }, 202));
  const call = async (key: string) => (await app.request('/v1/samples', { method: 'POST', body: '[]', headers: { authorization: `Bearer ${key}` } })).status;
  return { pool, feed, connected, call, queries: () => queries };
}

test('a revoked key stops working at once in every process (LISTEN/NOTIFY), though each caches it for an hour', async () => {
  const secret = meterline('keys', 'create', '--role', 'agent').stdout.trimEnd().split('\n').at(-1) ?? '';
  const procs = [keyProcess('a'), keyProcess('b')];
  try {
    await Promise.all(procs.map((p) => p.connected));
    for (const p of procs) {
      assert.equal(await p.call(secret), 202);
      assert.equal(await p.call(secret), 202);
      assert.equal(p.queries(), 1, 'the second request is answered from the cache');
    }
    const id = (await db.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE key_hash = $1', [hashSecret(secret)])).rows[0]?.id ?? '';
    // Revoked by another OS process (the CLI); spawnSync blocks this one, so both waits are
    // in place before any notification can be handled.
    const rv = meterline('keys', 'revoke', id);
    const heard = procs.map((p) => nextChange(p.feed, 'key changed'));
    assert.equal(rv.code, 0, rv.stderr);
    const t0 = Date.now();
    await Promise.all(heard);
    assert.ok(Date.now() - t0 < 2_000, `heard after ${Date.now() - t0} ms`);
    for (const p of procs) assert.equal(await p.call(secret), 401);
  } finally {
    await Promise.all(procs.map((p) => p.pool.end()));
  }
});

test('the change feed survives its connection being killed: it reconnects, and a revocation after that is heard', async () => {
  const secret = meterline('keys', 'create', '--role', 'agent').stdout.trimEnd().split('\n').at(-1) ?? '';
  const p = keyProcess('c');
  try {
    await p.connected;
    assert.equal(await p.call(secret), 202);
    const dropped = nextChange(p.feed, 'feed dropped');
    const back = nextChange(p.feed, 'feed connected');
    const killed = await db.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-keys-c-keys'");
    assert.equal(killed.rowCount, 1, 'exactly the LISTEN connection');
    await dropped;
    await back;
    assert.equal(p.feed.live(), true);
    const id = (await db.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE key_hash = $1', [hashSecret(secret)])).rows[0]?.id ?? '';
    const heard = nextChange(p.feed, 'key changed');
    assert.equal(meterline('keys', 'revoke', id).code, 0);
    await heard;
    assert.equal(await p.call(secret), 401);
  } finally {
    await p.pool.end();
  }
});
