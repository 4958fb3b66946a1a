// Access control of the whole API (SPEC §10): every route × every kind of caller (no key, a
// revoked key, agent, finance, a customer key) against the production wiring over a real
// database, and a customer key trying every way to reach another customer's data. Expected
// statuses come from the contract: agents write samples and Nagios input only; finance reads
// everything and alone manages customers, subscriptions and finalization; a customer key reads
// only its own customer's rollups, invoices and availability.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { INGEST_ROUTES, API_ROUTES, OPS_ROUTES } from '../../api/openapi/index.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { invoiceId } from '../../invoicing/db/invoices.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { storeHostStates } from '../../nagios/store/index.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { storeParts } from '../../sinks/store.js';
import { accessApp, CATALOG_TEXT, type AccessApp } from './access-app.js';

let t: AccessApp;
const NOW = '2026-11-05T00:00:00Z';
const ACME_INV = invoiceId('acme', '2026-10');
const BETA_INV = invoiceId('beta', '2026-10');
let betaSubId = '';
let acmeNote = '';
let betaNote = '';

const part = (serverId: string, iso: string, sum: string, n: number): RollupPart => ({
  partId: `access:${serverId}:${n}`,
  serverId,
  meter: 'requests',
  windowStartMs: Date.parse(iso),
  windowEndMs: Date.parse(iso) + 60_000,
  correction: false,
  state: { count: 1, sum },
  source: { topic: 'metrics.raw', partition: 0, firstOffset: String(n), lastOffset: String(n) },
});

before(async () => {
  t = await accessApp('access', NOW);
  const parts = [part('srv-1', '2026-10-02T10:00:00Z', '100', 1), part('srv-2', '2026-10-02T10:00:00Z', '777', 2)];
  const client = await t.db.pool.connect();
  try {
    await storeParts(client, parts.map((p) => ({ part: p })));
  } finally {
    client.release();
  }
  await insertParts(t.db.pool, parts.map((p, i) => ({ part: p, at: { topic: 'usage.rollups', partition: 0, offset: String(i) } })));
  await storeHostStates(
    t.db.pool,
    [
      { host: 'srv-2', state: 'DOWN', hard: true, tsMs: Date.parse('2026-10-05T00:00:00Z'), source: 'alert' },
      { host: 'srv-2', state: 'UP', hard: true, tsMs: Date.parse('2026-10-05T06:00:00Z'), source: 'alert' },
    ],
    {},
  );
  await syncAll(t.db.pool, t.ctx);
  // October final, with one credit note each, so the credit note routes have data to leak.
  await finalizePeriod(t.db.pool, t.ctx, '2026-10');
  acmeNote = (await createCreditNote(t.db.pool, t.ctx, ACME_INV, '{"reason":"goodwill","lines":[{"n":1,"amount":"1.00"}]}')).id;
  betaNote = (await createCreditNote(t.db.pool, t.ctx, BETA_INV, '{"reason":"goodwill","lines":[{"n":1,"amount":"1.00"}]}')).id;
  const { rows } = await t.db.pool.query<{ id: string }>(`SELECT id FROM subscriptions WHERE customer = 'beta'`);
  betaSubId = rows[0]!.id;
});
after(async () => t?.db.drop());

type Caller = 'none' | 'revoked' | 'agent' | 'finance' | 'acme';
const CALLERS: readonly Caller[] = ['none', 'revoked', 'agent', 'finance', 'acme'];
const keyOf = (c: Caller): string | undefined => (c === 'none' ? undefined : t.keys[c]);

interface Case {
  route: string; // RouteSpec id
  method: string;
  path: () => string;
  body?: () => string;
  type?: string;
  /** Expected status per caller; none and revoked are always 401 for non-public routes. */
  agent: number;
  finance: number | number[];
  acme: number;
}

const sec = (iso: string) => Date.parse(iso) / 1000;
const SAMPLE = JSON.stringify([{ id: 'm-1', server_id: 'srv-1', ts: '2026-11-04T00:00:00Z', metrics: { http_requests: 1 } }]);
const PERF = `DATATYPE::SERVICEPERFDATA\tTIMET::${sec('2026-11-04T00:00:00Z')}\tHOSTNAME::srv-1\tSERVICEDESC::PING\tSERVICEPERFDATA::pl=0%`;
const EVENT = `[${sec('2026-11-01T00:00:00Z')}] HOST ALERT: srv-1;UP;HARD;1;PING OK`;

const CASES: Case[] = [
  { route: 'postSamples', method: 'POST', path: () => '/v1/samples', body: () => SAMPLE, agent: 202, finance: 403, acme: 403 },
  { route: 'postNagiosPerfdata', method: 'POST', path: () => '/v1/nagios/perfdata', body: () => PERF, type: 'text/plain', agent: 202, finance: 403, acme: 403 },
  { route: 'postNagiosEvents', method: 'POST', path: () => '/v1/nagios/events', body: () => EVENT, type: 'text/plain', agent: 200, finance: 403, acme: 403 },
  { route: 'getRollups', method: 'GET', path: () => '/v1/rollups?from=2026-10-01T00:00:00Z&granularity=day', agent: 403, finance: 200, acme: 200 },
  { route: 'getAvailability', method: 'GET', path: () => '/v1/availability?server_id=srv-1&period=2026-10', agent: 403, finance: 200, acme: 200 },
  { route: 'listInvoices', method: 'GET', path: () => '/v1/invoices?period=2026-10', agent: 403, finance: 200, acme: 200 },
  { route: 'getInvoice', method: 'GET', path: () => `/v1/invoices/${ACME_INV}`, agent: 403, finance: 200, acme: 200 },
  { route: 'explainInvoiceLine', method: 'GET', path: () => `/v1/invoices/${ACME_INV}/lines/2/explain`, agent: 403, finance: 200, acme: 200 },
  { route: 'finalizeInvoices', method: 'POST', path: () => '/v1/invoices/finalize?period=2026-09', agent: 403, finance: 200, acme: 403 },
  {
    route: 'createCreditNote', method: 'POST', path: () => `/v1/invoices/${ACME_INV}/credit-notes`,
    body: () => JSON.stringify({ reason: 'matrix', lines: [{ n: 1, amount: '0.01' }] }), agent: 403, finance: 201, acme: 403,
  },
  { route: 'listInvoiceCreditNotes', method: 'GET', path: () => `/v1/invoices/${ACME_INV}/credit-notes`, agent: 403, finance: 200, acme: 200 },
  { route: 'getCreditNote', method: 'GET', path: () => `/v1/credit-notes/${acmeNote}`, agent: 403, finance: 200, acme: 200 },
  { route: 'putCustomer', method: 'PUT', path: () => '/v1/customers/gamma', body: () => '{}', agent: 403, finance: [200, 201], acme: 403 },
  {
    route: 'createSubscription', method: 'POST', path: () => '/v1/subscriptions',
    body: () => JSON.stringify({ server_id: 'srv-9', customer: 'gamma', plan: 'monthly', from: '2026-11-01T00:00:00Z' }),
    agent: 403, finance: [200, 201], acme: 403,
  },
  { route: 'patchSubscription', method: 'PATCH', path: () => `/v1/subscriptions/${encodeURIComponent(betaSubId)}`, body: () => JSON.stringify({ to: '2027-01-01T00:00:00Z' }), agent: 403, finance: 200, acme: 403 },
  { route: 'listSubscriptions', method: 'GET', path: () => '/v1/subscriptions', agent: 403, finance: 200, acme: 403 },
  {
    // A public IP literal: the SSRF rule needs no DNS, and nothing is delivered (no worker runs here).
    route: 'createWebhook', method: 'POST', path: () => '/v1/webhooks',
    body: () => JSON.stringify({ url: 'https://1.1.1.1/hooks/meterline', events: ['invoice.finalized'] }), agent: 403, finance: 201, acme: 403,
  },
  { route: 'listWebhooks', method: 'GET', path: () => '/v1/webhooks', agent: 403, finance: 200, acme: 403 },
  { route: 'listWebhookDeliveries', method: 'GET', path: () => '/v1/webhooks/wh-unknown/deliveries', agent: 403, finance: 404, acme: 403 },
  { route: 'deleteWebhook', method: 'DELETE', path: () => '/v1/webhooks/wh-unknown', agent: 403, finance: 404, acme: 403 },
  { route: 'whatIf', method: 'POST', path: () => '/v1/what-if?period=2026-10', body: () => CATALOG_TEXT, type: 'application/yaml', agent: 403, finance: 200, acme: 403 },
];

test('the matrix covers every non-public route the API serves', () => {
  assert.deepEqual(new Set(CASES.map((c) => c.route)), new Set([...INGEST_ROUTES, ...API_ROUTES].map((r) => r.id)));
});

for (const c of CASES) {
  test(`${c.method} ${c.path().split('?')[0]}: 401 without a valid key, then by role`, async () => {
    for (const caller of CALLERS) {
      const key = keyOf(caller);
      const r = await t.call(c.method, c.path(), { ...(key ? { key } : {}), ...(c.body ? { body: c.body(), type: c.type ?? 'application/json' } : {}) });
      const want = caller === 'none' || caller === 'revoked' ? 401 : c[caller];
      const ok = Array.isArray(want) ? want.includes(r.status) : r.status === want;
      assert.ok(ok, `${caller}: got ${r.status}, want ${String(want)}: ${r.text.slice(0, 200)}`);
      if (caller === 'acme') assertNothingOfBeta(r.text);
    }
  });
}

test('public routes answer without a key', async () => {
  for (const spec of OPS_ROUTES) {
    const r = await t.call('GET', spec.path);
    assert.equal(r.status, 200, `${spec.path}: ${r.text.slice(0, 120)}`);
  }
});

/**
 * Nothing of the other customer: not its name, its server, its invoice or its usage (777).
 * A marker the request itself named may be echoed (a 404 naming the id asked for).
 */
function assertNothingOfBeta(text: string, request = ''): void {
  for (const marker of ['beta', 'srv-2', BETA_INV, '777', '7.77']) {
    if (request.includes(marker)) continue;
    assert.ok(!text.includes(marker), `a customer key's answer contains ${JSON.stringify(marker)}: ${text.slice(0, 300)}`);
  }
}

// Every way a customer key might name another customer's data, and what it must get.
const PROBES: Array<{ path: string; method?: string; status: number; accept?: string; body?: string }> = [
  { path: '/v1/rollups?customer=beta', status: 403 },
  { path: '/v1/rollups?server_id=srv-2&from=2026-10-01T00:00:00Z', status: 200 },
  { path: '/v1/rollups?server_id=srv-2&customer=acme&from=2026-10-01T00:00:00Z', status: 200 },
  { path: '/v1/rollups?from=2026-10-01T00:00:00Z&granularity=month', status: 200 },
  { path: '/v1/rollups?from=2026-10-01T00:00:00Z', status: 200, accept: 'text/csv' },
  { path: '/v1/invoices?customer=beta', status: 403 },
  { path: '/v1/invoices', status: 200 },
  { path: `/v1/invoices/${BETA_INV}`, status: 404 },
  { path: `/v1/invoices/${BETA_INV}/lines/1/explain`, status: 404 },
  { path: '/v1/availability?server_id=srv-2&period=2026-10', status: 403 },
  { path: '/v1/subscriptions?customer=beta', status: 403 },
  { path: '/v1/subscriptions?server_id=srv-2', status: 403 },
  { path: '/v1/invoices/finalize?period=2026-10&customer=beta', method: 'POST', status: 403 },
  { path: '/v1/customers/beta', method: 'PUT', status: 403, body: '{}' },
  { path: `/v1/invoices/${BETA_INV}/credit-notes`, status: 404 },
  { path: `/v1/invoices/${BETA_INV}/credit-notes`, method: 'POST', status: 403, body: '{"reason":"x","full":true}' },
];

test("a customer key never reads another customer's data, whatever it asks for", async () => {
  for (const p of PROBES) {
    const r = await t.call(p.method ?? 'GET', p.path, {
      key: t.keys.acme,
      ...(p.accept ? { headers: { accept: p.accept } } : {}),
      ...(p.body ? { body: p.body } : {}),
    });
    assert.equal(r.status, p.status, `${p.path}: ${r.text.slice(0, 200)}`);
    assertNothingOfBeta(r.text, p.path);
  }
  // And it does read its own: srv-1's 100 requests, acme's invoice.
  const own = await t.call('GET', '/v1/rollups?from=2026-10-01T00:00:00Z&granularity=month', { key: t.keys.acme });
  assert.deepEqual((own.json as { rollups: Array<Record<string, string>> }).rollups.map((r) => [r.server_id, r.value]), [['srv-1', '100']]);
  const inv = await t.call('GET', `/v1/invoices/${ACME_INV}`, { key: t.keys.acme });
  assert.equal((inv.json as { customer: string }).customer, 'acme');
  // Credit notes by id (not known before): beta's is a 404 naming only the id asked for.
  const other = await t.call('GET', `/v1/credit-notes/${betaNote}`, { key: t.keys.acme });
  assert.equal(other.status, 404);
  assertNothingOfBeta(other.text.replace(betaNote, ''));
  const mine = await t.call('GET', `/v1/credit-notes/${acmeNote}`, { key: t.keys.acme });
  assert.equal((mine.json as { customer: string }).customer, 'acme');
});

test('the same probes with finance see both customers (the data is there to leak)', async () => {
  const all = await t.call('GET', '/v1/rollups?from=2026-10-01T00:00:00Z&granularity=month', { key: t.keys.finance });
  assert.deepEqual((all.json as { rollups: Array<Record<string, string>> }).rollups.map((r) => [r.server_id, r.value]), [['srv-1', '100'], ['srv-2', '777']]);
  assert.equal((await t.call('GET', `/v1/invoices/${BETA_INV}`, { key: t.keys.finance })).status, 200);
  assert.equal((await t.call('GET', `/v1/credit-notes/${betaNote}`, { key: t.keys.finance })).status, 200);
  assert.equal((await t.call('GET', `/v1/credit-notes/${betaNote}`, { key: t.keys.beta })).status, 200);
  const betaNotes = await t.call('GET', `/v1/invoices/${BETA_INV}/credit-notes`, { key: t.keys.beta });
  assert.deepEqual((betaNotes.json as { credit_notes: Array<{ id: string }> }).credit_notes.map((n) => n.id), [betaNote]);
  const a = await t.call('GET', '/v1/availability?server_id=srv-2&period=2026-10', { key: t.keys.finance });
  assert.equal((a.json as { down_seconds: string }).down_seconds, String(6 * 3600));
  const beta = await t.call('GET', '/v1/availability?server_id=srv-2&period=2026-10', { key: t.keys.beta });
  assert.equal(beta.status, 200);
});

test('request ids: a sane x-request-id is echoed, junk is replaced by a fresh one', async () => {
  const given = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'lb-7f3a.42' } });
  assert.equal(given.headers.get('x-request-id'), 'lb-7f3a.42');
  const junk = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.match(junk.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a server that changed hands: each customer key sees only its own time of it', async () => {
  // srv-3: beta's until 2026-10-16, acme's from then on.
  for (const [id, customer, from, to] of [
    ['s3-beta', 'beta', '2026-10-01T00:00:00Z', '2026-10-16T00:00:00Z'],
    ['s3-acme', 'acme', '2026-10-16T00:00:00Z', null],
  ] as const) {
    await t.db.pool.query(
      `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, valid_to, source) VALUES ($1, 'srv-3', $2, 'monthly', $3, $4, 'api')`,
      [id, customer, new Date(from), to === null ? null : new Date(to)],
    );
  }
  const client = await t.db.pool.connect();
  try {
    await storeParts(client, [{ part: part('srv-3', '2026-10-10T00:00:00Z', '500', 31) }, { part: part('srv-3', '2026-10-20T00:00:00Z', '5', 32) }]);
  } finally {
    client.release();
  }
  const at = (iso: string) => Date.parse(iso);
  await storeHostStates(
    t.db.pool,
    [
      { host: 'srv-3', state: 'DOWN', hard: true, tsMs: at('2026-10-05T00:00:00Z'), source: 'alert' }, // beta's time: 10 h
      { host: 'srv-3', state: 'UP', hard: true, tsMs: at('2026-10-05T10:00:00Z'), source: 'alert' },
      { host: 'srv-3', state: 'DOWN', hard: true, tsMs: at('2026-10-20T00:00:00Z'), source: 'alert' }, // acme's time: 1 h
      { host: 'srv-3', state: 'UP', hard: true, tsMs: at('2026-10-20T01:00:00Z'), source: 'alert' },
    ],
    {},
  );
  const rollups = await t.call('GET', '/v1/rollups?server_id=srv-3&from=2026-10-01T00:00:00Z&granularity=month', { key: t.keys.acme });
  assert.deepEqual((rollups.json as { rollups: Array<Record<string, string>> }).rollups.map((r) => r.value), ['5']);

  const acme = (await t.call('GET', '/v1/availability?server_id=srv-3&period=2026-10', { key: t.keys.acme })).json as Record<string, unknown>;
  // Covered 2026-10-16 → 11-01: 16 days = 1382400 s; down 3600 s;
  // 100 × (1 − 3600/1382400) = 99.7395833… → 99.739583.
  assert.deepEqual(acme.covered, [{ from: '2026-10-16T00:00:00Z', to: '2026-11-01T00:00:00Z' }]);
  assert.deepEqual(acme.down_intervals, [{ start: '2026-10-20T00:00:00Z', end: '2026-10-20T01:00:00Z' }]);
  assert.equal(acme.availability_pct, '99.739583');
  const beta = (await t.call('GET', '/v1/availability?server_id=srv-3&period=2026-10', { key: t.keys.beta })).json as Record<string, unknown>;
  // Covered 10-01 → 10-16: 15 days = 1296000 s; down 36000 s; 100 × (1 − 1/36) = 97.2222… → 97.222222.
  assert.deepEqual(beta.down_intervals, [{ start: '2026-10-05T00:00:00Z', end: '2026-10-05T10:00:00Z' }]);
  assert.equal(beta.availability_pct, '97.222222');
  const all = (await t.call('GET', '/v1/availability?server_id=srv-3&period=2026-10', { key: t.keys.finance })).json as Record<string, unknown>;
  assert.equal(all.down_seconds, '39600');
});
