// The console as the api role mounts it (`meterline api` / `run`): two replicas on one database
// share the session seal key (a cookie from one is good on the other), the cookie's flags follow
// the transport, pages carry the strict CSP, and uPlot is served by the role itself.
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
import { CSP } from '../../console/http.js';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

let db: FreshDb;
let dir: string;
const replicas: { server: RoleServer; role: RunningRole; base: string }[] = [];
let finance = '';

before(async () => {
  db = await freshDb('console_api_role');
  dir = mkdtempSync(join(tmpdir(), 'meterline-console-'));
  writeFileSync(join(dir, 'catalog.yaml'), CATALOG_TEXT);
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, METERLINE_CATALOG: join(dir, 'catalog.yaml'), PORT: '0' });
  for (let i = 0; i < 2; i++) {
    const server = roleServer(config, createLogger('silent'), ['api']);
    const role = await apiRole().start(server.context);
    replicas.push({ server, role, base: `http://127.0.0.1:${(await server.listen()).port}` });
  }
  finance = (await issueKey(pgKeyStore(db.pool), { role: 'finance' })).secret;
});
after(async () => {
  for (const r of replicas) {
    await r.server.stop();
    await r.role.stop();
  }
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/signin`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...headers },
    body: new URLSearchParams({ key: finance, next: '/invoices' }).toString(),
  });

test('a session made by one replica is good on the other; the cookie is HttpOnly, SameSite=Strict, Secure only over TLS', async () => {
  const [a, b] = replicas;
  const res = await signIn(a!.base);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/invoices');
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^ml_session=[^;]+;.*HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.doesNotMatch(cookie, /Secure/);
  const page = await fetch(`${b!.base}/invoices`, { headers: { cookie: cookie.split(';')[0]! }, redirect: 'manual' });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<h1>Invoices<\/h1>/);
  const tls = await signIn(a!.base, { 'x-forwarded-proto': 'https', origin: `https://${new URL(a!.base).host}` });
  assert.match(tls.headers.get('set-cookie') ?? '', /Secure/);
});

test('pages carry the strict CSP; / sends to sign-in; the chart library is served locally', async () => {
  const { base } = replicas[0]!;
  const root = await fetch(`${base}/`, { redirect: 'manual' });
  assert.equal(root.status, 303);
  assert.equal(root.headers.get('location'), '/signin?next=%2F');
  const signin = await fetch(`${base}/signin`);
  assert.equal(signin.headers.get('content-security-policy'), CSP);
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|https?:/);
  const html = await signin.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
  assert.doesNotMatch(html, /\sstyle=/, 'no inline style');
  const uplot = await fetch(`${base}/assets/uplot/uPlot.iife.min.js`);
  assert.equal(uplot.status, 200);
  assert.match(uplot.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await uplot.text(), /uPlot/);
});
