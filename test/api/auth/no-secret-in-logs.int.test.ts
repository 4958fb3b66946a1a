// No API key secret ever reaches a log line (issue 12.9). The real `api` and `ingest` roles run
// as child processes at log level trace; keys are created with the CLI and used every way a
// client can (accepted, wrong role, unknown, malformed, revoked, rate-limited, in a query
// string, in a body); then every line those processes and the CLI wrote to stdout/stderr is
// searched for the secrets. The search is shown to work: the same output does name the key ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freshDb, type FreshDb } from '../../sinks/fresh-db.js';
import { freePort } from '../../stack/free-port.js';
import { generateKey } from '../../../api/auth/keys.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = `${ROOT}bin/meterline.js`;
const SECRET = /ml_[A-Za-z0-9_-]{43}/;
let db: FreshDb;
let env: NodeJS.ProcessEnv;
const output: string[] = []; // everything every process wrote

before(async () => {
  db = await freshDb('nosecret');
  env = {
    ...process.env, DATABASE_URL: db.url, METERLINE_LOG_LEVEL: 'trace', KAFKA_TOPIC_PREFIX: `t-nosecret-${randomBytes(4).toString('hex')}.`,
    METERLINE_KEY_RATE_LIMIT: '1', METERLINE_KEY_RATE_BURST: '3',
  };
});
after(async () => {
  await db?.drop();
});

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  output.push(r.stdout, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split('\n').at(-1) ?? '';
}

/** A role child process; resolves once it listens. */
async function role(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let all = '';
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      all += d.toString();
      if (all.includes(`listening on port ${port}`)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code} before listening:\n${all.slice(-3000)}`)));
  });
  await listening;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      output.push(all);
    },
  };
}

test('no secret in any log line of api, ingest or the keys CLI, however the keys are used', async () => {
  const finance = cli('keys', 'create', '--role', 'finance', '--description', 'books');
  const customer = cli('keys', 'create', '--role', 'customer', '--customer', 'acme');
  const agent = cli('keys', 'create', '--role', 'agent');
  const unknown = generateKey().secret;
  const secrets = [finance, customer, agent, unknown];
  for (const s of secrets) assert.match(s, SECRET);
  const ids = Object.fromEntries(
    (JSON.parse(cli('keys', 'list', '--json')) as { keys: { id: string; role: string }[] }).keys.map((k) => [k.role, k.id]),
  ) as Record<string, string>;

  // Every CLI run comes before the roles start: a synchronous run between requests would idle
  // the client's keep-alive connection past the server's timeout (a reused socket then fails).
  const spare = cli('keys', 'create', '--role', 'finance', '--description', 'spare');
  secrets.push(spare);
  const spareId = (JSON.parse(cli('keys', 'list', '--json')) as { keys: { id: string; description?: string }[] }).keys.find((k) => k.description === 'spare')?.id ?? '';
  cli('keys', 'revoke', spareId);

  const api = await role(['api', '--catalog', `${ROOT}examples/catalog.yaml`]);
  const ingest = await role(['ingest']);
  try {
    const call = (base: string, path: string, auth?: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, headers: { ...(auth ? { authorization: auth } : {}), ...(init.headers as Record<string, string> | undefined) } });
    assert.equal((await call(api.url, '/v1/invoices?period=2026-10', `Bearer ${finance}`)).status, 200);
    assert.equal((await call(api.url, '/v1/invoices?period=2026-10', `Bearer ${customer}`)).status, 200);
    assert.equal((await call(api.url, '/v1/invoices', `Bearer ${agent}`)).status, 403);
    assert.equal((await call(api.url, '/v1/invoices', `Bearer ${unknown}`)).status, 401);
    assert.equal((await call(api.url, '/v1/invoices', `Basic ${finance}`)).status, 401);
    assert.equal((await call(api.url, `/v1/invoices?api_key=${finance}`)).status, 401);
    // a secret in a body the API refuses
    const bad = await call(api.url, '/v1/subscriptions', `Bearer ${finance}`, { method: 'POST', body: `{"server_id":"${finance}"`, headers: { 'content-type': 'application/json' } });
    assert.ok(bad.status >= 400 && bad.status < 500, `POST with a broken body: ${bad.status}`);
    const sample = { id: 'nolog-1', server_id: agent, ts: new Date().toISOString(), metrics: { m: 1 } };
    assert.equal((await call(ingest.url, '/v1/samples', `Bearer ${agent}`, { method: 'POST', body: JSON.stringify([sample]), headers: { 'content-type': 'application/json' } })).status, 202);
    assert.equal((await call(ingest.url, '/v1/samples', `Bearer ${finance}`, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } })).status, 403);
    // rate limit: 3 at once, then 429 (the agent key has used 1 on ingest; customer 1 on api)
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(api.url, '/v1/invoices?period=2026-10', `Bearer ${customer}`)).status);
    assert.ok(statuses.includes(429), `a burst of 4 more after 1: ${statuses.join(',')}`);
    // the key revoked before the roles started (the at-once revocation of cached keys has its
    // own test, keys.int.test.ts)
    const revoked = await call(api.url, '/v1/invoices', `Bearer ${spare}`);
    assert.equal(revoked.status, 401);
    assert.match(((await revoked.json()) as { error: string }).error, new RegExp(`API key ${spareId} was revoked`));
  } finally {
    await api.stop();
    await ingest.stop();
  }

  const text = output.join('\n');
  // the capture holds what it should: access-log lines naming the key ids, and the revocation
  assert.ok(text.includes(`"key_id":"${ids.customer}"`), 'the access log names the customer key id');
  assert.ok(text.includes(`"key_id":"${ids.agent}"`), 'the access log names the agent key id');
  assert.ok(/revoked key_[0-9a-f]{16} at/.test(text), 'the CLI output names the revoked key id');
  const leaked = text.split('\n').filter((l) => SECRET.test(l) || secrets.some((s) => l.includes(s.slice(3, 20))));
  // The only lines allowed to hold a secret are the CLI's own `keys create` answers (stdout, shown once).
  const allowed = new Set(secrets.filter((x) => x !== unknown));
  assert.deepEqual(leaked.filter((l) => !allowed.has(l.trim())), []);
});
