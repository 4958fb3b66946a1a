// Invoice routes against a fresh database: SPEC §9 form, customer keys confined to their own
// invoices, explain listing the parts and offsets behind a line, finalization over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { insertParts } from '../../invoicing/db/parts.js';
import { recomputeCustomer, syncAll } from '../../invoicing/drafts.js';
import { testApp, type TestApp } from '../invoicing/app.js';
import { requestsPart } from '../invoicing/fixtures.js';

let t: TestApp;
const P1 = requestsPart('srv-1', '2026-10-02T10:00:00Z', '150', 'p1');
const P2 = requestsPart('srv-1', '2026-10-03T10:00:00Z', '50', 'p2');
const LATE = requestsPart('srv-1', '2026-10-30T10:00:00Z', '20', 'late');

before(async () => {
  t = await testApp('invoices_api', '2026-10-20T00:00:00Z');
  await insertParts(t.db.pool, [
    { part: P1, at: { topic: 'usage.rollups', partition: 2, offset: '40' } },
    { part: P2, at: { topic: 'usage.rollups', partition: 2, offset: '41' } },
  ]);
  await syncAll(t.db.pool, t.ctx);
});
after(async () => t?.db.drop());

interface Inv {
  id: string;
  customer: string;
  status: string;
  lines: Array<Record<string, string>>;
  total: string;
}

test('GET /v1/invoices: SPEC §9 form, sorted by customer; customer keys see only their own', async () => {
  const all = await t.call('GET', '/v1/invoices?period=2026-10', { key: t.keys.finance });
  assert.equal(all.status, 200);
  const invoices = all.body.invoices as Inv[];
  assert.deepEqual(invoices.map((i) => i.customer), ['acme', 'beta']);
  const acme = invoices[0]!;
  assert.deepEqual(acme.lines, [
    { type: 'base_fee', server_id: 'srv-1', plan: 'monthly', quantity: '1', unit: 'month', unit_price: '30.00', amount: '30.00' },
    // 200 − 100 free = 100 × 0.01
    { type: 'usage', server_id: 'srv-1', plan: 'monthly', meter: 'requests', quantity: '200', unit: 'request', amount: '1.00' },
    { type: 'discount', amount: '-3.10' },
  ]);
  assert.deepEqual((acme as unknown as { period: unknown }).period, { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' });
  assert.equal(acme.total, '27.90');

  const own = await t.call('GET', '/v1/invoices', { key: t.keys.acme });
  assert.deepEqual((own.body.invoices as Inv[]).map((i) => i.customer), ['acme']);
  assert.equal((await t.call('GET', '/v1/invoices?customer=beta', { key: t.keys.acme })).status, 403);
  const betaId = invoices[1]!.id;
  assert.equal((await t.call('GET', `/v1/invoices/${betaId}`, { key: t.keys.acme })).status, 404);
  assert.equal((await t.call('GET', `/v1/invoices/${betaId}`, { key: t.keys.beta })).status, 200);
  assert.equal((await t.call('GET', '/v1/invoices', { key: t.keys.agent })).status, 403);
  assert.equal((await t.call('GET', '/v1/invoices?period=10-2026', { key: t.keys.finance })).status, 422);
});

test('explain: the parts and offsets behind a usage line; none behind a base fee', async () => {
  const [acme] = (await t.call('GET', '/v1/invoices?customer=acme', { key: t.keys.finance })).body.invoices as Inv[];
  const usage = await t.call('GET', `/v1/invoices/${acme!.id}/lines/2/explain`, { key: t.keys.acme });
  assert.equal(usage.status, 200);
  assert.deepEqual((usage.body.parts as Array<{ part_id: string }>).map((p) => p.part_id), ['p1', 'p2']);
  assert.equal(usage.body.parts_total, 2);
  const offsets = usage.body.offsets as { rollups: unknown[]; sources: Array<{ topic: string }> };
  assert.deepEqual(offsets.rollups, [{ topic: 'usage.rollups', partition: 2, first_offset: '40', last_offset: '41', parts: 2 }]);
  assert.equal(offsets.sources[0]?.topic, 'metrics.raw');
  const base = await t.call('GET', `/v1/invoices/${acme!.id}/lines/1/explain`, { key: t.keys.finance });
  assert.deepEqual(base.body.parts, []);
  assert.match(String(base.body.note), /base_fee line is not computed from usage/);
  assert.equal((await t.call('GET', `/v1/invoices/${acme!.id}/lines/9/explain`, { key: t.keys.finance })).status, 404);
});

test('explain: a blank ?limit= or ?offset= is the parameter not given (limit 1000, offset 0); a bad one is named', async () => {
  const [acme] = (await t.call('GET', '/v1/invoices?customer=acme', { key: t.keys.finance })).body.invoices as Inv[];
  const path = `/v1/invoices/${acme!.id}/lines/2/explain`;
  for (const query of ['?limit=', '?offset=', '?limit=&offset=']) {
    const blank = await t.call('GET', path + query, { key: t.keys.finance });
    assert.equal(blank.status, 200, `${query}: ${JSON.stringify(blank.body)}`);
    assert.deepEqual((blank.body.parts as Array<{ part_id: string }>).map((p) => p.part_id), ['p1', 'p2'], query);
  }
  // The page still applies when given: the second part alone.
  const paged = await t.call('GET', `${path}?limit=1&offset=1`, { key: t.keys.finance });
  assert.deepEqual((paged.body.parts as Array<{ part_id: string }>).map((p) => p.part_id), ['p2']);
  assert.equal(paged.body.parts_total, 2);
  for (const query of ['?limit=0', '?limit=x', '?offset=-1']) {
    const bad = await t.call('GET', path + query, { key: t.keys.finance });
    assert.equal(bad.status, 422, query);
    assert.match(String(bad.body.error), query.includes('limit') ? /limit/ : /offset/, query);
  }
});

test('POST /v1/invoices/finalize: finance only; a final invoice explains exactly its parts, late ones go to the adjustment', async () => {
  assert.equal((await t.call('POST', '/v1/invoices/finalize?period=2026-10', { key: t.keys.acme })).status, 403);
  const early = await t.call('POST', '/v1/invoices/finalize?period=2026-10', { key: t.keys.finance });
  assert.equal(early.status, 409);
  assert.match(String(early.body.error), /has not ended/);
  t.setNow('2026-11-02T00:00:00Z');
  const fin = await t.call('POST', '/v1/invoices/finalize?period=2026-10', { key: t.keys.finance });
  assert.equal(fin.status, 200);
  assert.deepEqual((fin.body.results as Array<{ result: string }>).map((r) => r.result), ['finalized', 'finalized']);
  const again = await t.call('POST', '/v1/invoices/finalize?period=2026-10', { key: t.keys.finance });
  assert.deepEqual((again.body.results as Array<{ result: string }>).map((r) => r.result), ['already_final', 'already_final']);

  await insertParts(t.db.pool, [{ part: LATE, at: { topic: 'usage.rollups', partition: 2, offset: '77' } }]);
  await recomputeCustomer(t.db.pool, t.ctx, 'acme', ['2026-10']);
  const [oct] = (await t.call('GET', '/v1/invoices?customer=acme&period=2026-10', { key: t.keys.finance })).body.invoices as Inv[];
  assert.equal(oct!.status, 'final');
  const octUsage = await t.call('GET', `/v1/invoices/${oct!.id}/lines/2/explain`, { key: t.keys.finance });
  assert.deepEqual((octUsage.body.parts as Array<{ part_id: string }>).map((p) => p.part_id), ['p1', 'p2']);

  const [nov] = (await t.call('GET', '/v1/invoices?customer=acme&period=2026-11', { key: t.keys.finance })).body.invoices as Inv[];
  // 220 − 100 = 120 × 0.01 = 1.20, billed 1.00 → adjustment 0.20 (line 2, after the base fee)
  assert.deepEqual(nov!.lines[1], { type: 'adjustment', server_id: 'srv-1', meter: 'requests', period_of_usage: '2026-10', amount: '0.20' });
  const adj = await t.call('GET', `/v1/invoices/${nov!.id}/lines/2/explain`, { key: t.keys.finance });
  assert.deepEqual((adj.body.parts as Array<{ part_id: string }>).map((p) => p.part_id), ['late']);
});
