// Provisioning API (SPEC §10) against a fresh database: validation like the catalogue file,
// overlapping subscriptions refused, and the draft following each change (SPEC §6 proration and
// attribution worked by hand from test/invoicing/fixtures.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { testApp, type TestApp } from '../invoicing/app.js';
import { at, requestsPart } from '../invoicing/fixtures.js';

let t: TestApp;
before(async () => {
  t = await testApp('provisioning_api', '2026-10-20T00:00:00Z');
  await insertParts(t.db.pool, [
    { part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '150'), at: at() },
    { part: requestsPart('srv-1', '2026-10-20T10:00:00Z', '80'), at: at() },
  ]);
  await syncAll(t.db.pool, t.ctx);
});
after(async () => t?.db.drop());

const acmeDraft = async () => {
  const r = await t.call('GET', '/v1/invoices?customer=acme&period=2026-10', { key: t.keys.finance });
  const [inv] = r.body.invoices as Array<{ lines: Array<Record<string, string>>; subtotal: string; total: string }>;
  return inv!;
};
const MONTHLY = 'srv-1@2026-10-01T00:00:00.000Z';

test('only finance keys provision', async () => {
  assert.equal((await t.call('PUT', '/v1/customers/gamma', { body: {} })).status, 401);
  assert.equal((await t.call('PUT', '/v1/customers/gamma', { key: t.keys.acme, body: {} })).status, 403);
  assert.equal((await t.call('GET', '/v1/subscriptions', { key: t.keys.agent })).status, 403);
});

test('PUT /v1/customers validates like the catalogue and names the field', async () => {
  const created = await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: { contract: { discount_pct: '5', minimum_commit: '100.00' } } });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, { id: 'gamma', currency: 'USD', contract: { discount_pct: '5', minimum_commit: '100' } });
  assert.equal((await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: {} })).status, 200);

  const bad = await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: { currency: 'EUR', contract: { discount_pct: '150', overrides: { nope: {} } } } });
  assert.equal(bad.status, 422);
  const paths = (bad.body.problems as Array<{ path: string }>).map((p) => p.path).sort();
  assert.deepEqual(paths, ['contract.discount_pct', 'contract.overrides.nope', 'currency']);
  // A number other readers would already round (over 15 significant digits) must be a string (catalogue rule).
  const inexact = await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: '{"contract":{"minimum_commit":0.10000000000000000555}}' });
  assert.equal(inexact.status, 422);
  assert.match(JSON.stringify(inexact.body.problems), /contract\.minimum_commit/);
  assert.equal((await t.call('PUT', '/v1/customers/gamma', { key: t.keys.finance, body: '{not json' })).status, 422);
});

test('POST /v1/subscriptions: invalid → 422 naming the field, overlapping → 409 naming the other', async () => {
  const invalid = await t.call('POST', '/v1/subscriptions', { key: t.keys.finance, body: { server_id: 'srv-9', customer: 'nobody', plan: 'gold', to: 'soon' } });
  assert.equal(invalid.status, 422);
  assert.deepEqual((invalid.body.problems as Array<{ path: string }>).map((p) => p.path).sort(), ['customer', 'from', 'plan', 'to']);

  const overlap = await t.call('POST', '/v1/subscriptions', {
    key: t.keys.finance,
    body: { server_id: 'srv-1', customer: 'gamma', plan: 'hourly', from: '2026-10-15T00:00:00Z' },
  });
  assert.equal(overlap.status, 409);
  assert.match(String(overlap.body.error), new RegExp(`server srv-1 already has subscription ${MONTHLY.replace(/\./g, '\\.')} \\(customer acme`));
});

test('ending a subscription mid-month and changing plan: base fees prorated, usage attributed by time', async () => {
  // Before: 30.00 base; 150 + 80 = 230 requests − 100 free = 130 × 0.01 = 1.30; 31.30 − 3.13 = 28.17
  let inv = await acmeDraft();
  assert.deepEqual(inv.lines.map((l) => `${l.type}:${l.amount}`), ['base_fee:30.00', 'usage:1.30', 'discount:-3.13']);

  const ended = await t.call('PATCH', `/v1/subscriptions/${encodeURIComponent(MONTHLY)}`, { key: t.keys.finance, body: { to: '2026-10-16T00:00:00Z' } });
  assert.equal(ended.status, 200);
  assert.equal(ended.body.to, '2026-10-16T00:00:00Z');
  // 15 of 31 days: 30.00 × 15/31 = 14.516… → 14.52; only the Oct 2 part (150) is inside:
  // 150 − 100 = 50 × 0.01 = 0.50; 15.02 − 1.502 → −1.50; total 13.52
  inv = await acmeDraft();
  assert.deepEqual(inv.lines.map((l) => `${l.type}:${l.amount}`), ['base_fee:14.52', 'usage:0.50', 'discount:-1.50']);
  assert.equal(inv.total, '13.52');

  // Plan change at the same instant: hourly from Oct 16, open-ended → to the period end,
  // 16 days = 384 h × 0.12 = 46.08; the Oct 20 part (80) is now hourly's: 80 × 0.001 = 0.08.
  const created = await t.call('POST', '/v1/subscriptions', {
    key: t.keys.finance,
    body: { server_id: 'srv-1', customer: 'acme', plan: 'hourly', from: '2026-10-16T00:00:00Z' },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.id, 'srv-1@2026-10-16T00:00:00.000Z');
  inv = await acmeDraft();
  assert.deepEqual(
    inv.lines.map((l) => `${l.type}:${l.plan ?? ''}:${l.amount}`),
    ['base_fee:monthly:14.52', 'usage:monthly:0.50', 'base_fee:hourly:46.08', 'usage:hourly:0.08', 'discount::-6.12'],
  );
  assert.equal(inv.subtotal, '61.18'); // 14.52 + 0.50 + 46.08 + 0.08
  assert.equal(inv.total, '55.06'); // − round(6.118) = −6.12

  // The same POST again is a retry: 200 with the same subscription, nothing new.
  const retry = await t.call('POST', '/v1/subscriptions', {
    key: t.keys.finance,
    body: { server_id: 'srv-1', customer: 'acme', plan: 'hourly', from: '2026-10-16T00:00:00Z' },
  });
  assert.equal(retry.status, 200);
  // Re-opening the ended subscription would overlap the new one.
  const reopen = await t.call('PATCH', `/v1/subscriptions/${encodeURIComponent(MONTHLY)}`, { key: t.keys.finance, body: { to: null } });
  assert.equal(reopen.status, 409);
  const early = await t.call('PATCH', `/v1/subscriptions/${encodeURIComponent(MONTHLY)}`, { key: t.keys.finance, body: { to: '2026-09-01T00:00:00Z' } });
  assert.equal(early.status, 422);
  assert.equal((early.body.problems as Array<{ path: string }>)[0]?.path, 'to');

  const list = await t.call('GET', '/v1/subscriptions?server_id=srv-1', { key: t.keys.finance });
  assert.deepEqual(list.body.subscriptions, [
    { id: MONTHLY, server_id: 'srv-1', customer: 'acme', plan: 'monthly', from: '2026-10-01T00:00:00Z', to: '2026-10-16T00:00:00Z' },
    { id: 'srv-1@2026-10-16T00:00:00.000Z', server_id: 'srv-1', customer: 'acme', plan: 'hourly', from: '2026-10-16T00:00:00Z', to: null },
  ]);
});

test('a change reaching into a finalized period is refused', async () => {
  t.setNow('2026-11-03T00:00:00Z');
  const fin = await t.call('POST', '/v1/invoices/finalize?period=2026-10&customer=beta', { key: t.keys.finance });
  assert.equal(fin.status, 200);
  const late = await t.call('POST', '/v1/subscriptions', {
    key: t.keys.finance,
    body: { server_id: 'srv-2', customer: 'beta', plan: 'hourly', from: '2026-10-25T00:00:00Z' },
  });
  assert.equal(late.status, 409);
  assert.match(String(late.body.error), /period 2026-10.*is final/);
  const ok = await t.call('POST', '/v1/subscriptions', {
    key: t.keys.finance,
    body: { server_id: 'srv-2', customer: 'beta', plan: 'hourly', from: '2026-11-01T00:00:00Z' },
  });
  assert.equal(ok.status, 201);
});
