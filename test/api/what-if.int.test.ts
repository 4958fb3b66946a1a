// POST /v1/what-if: a period's invoices under a proposed catalogue beside the current one, from
// the stored usage, nothing written. Figures worked by hand from test/invoicing/fixtures.ts and
// the parts of test/console/console-app.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG_TEXT } from '../invoicing/fixtures.js';
import { consoleApp, type ConsoleApp } from '../console/console-app.js';

let t: ConsoleApp;
before(async () => {
  t = await consoleApp('what_if_api', '2026-10-20T00:00:00Z');
});
after(async () => t?.stop());

const post = (path: string, key: string, body: string) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/yaml' }, body });

// The same catalogue with dearer monthly and cheaper hourly base fees.
const PROPOSED = CATALOG_TEXT.replace('amount: "30.00", per: month', 'amount: "40.00", per: month').replace('amount: "0.12", per: hour', 'amount: "0.10", per: hour');

interface Row { customer: string; current: { total: string } | null; proposed: { total: string } | null; difference: string | null }

test('each customer under both catalogues, with the difference; nothing is written', async () => {
  assert.notEqual(PROPOSED, CATALOG_TEXT);
  const before = await t.api<{ invoices: unknown[] }>('/v1/invoices?period=2026-10', t.keys.finance);
  const res = await post('/v1/what-if?period=2026-10', t.keys.finance, PROPOSED);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { period: string; customers: Row[] };
  assert.equal(body.period, '2026-10');
  // acme (srv-1, monthly, 10 % discount): 1480.067 requests − 100 free → 13.80.
  //   current 30.00 + 13.80 = 43.80 − 4.38 = 39.42; proposed 40.00 + 13.80 = 53.80 − 5.38 = 48.42.
  // beta (srv-2, hourly, Oct 10 12:30 → Oct 12 03:00 = 38.5 h → 39 h; 999 requests × 0.001 = 1.00):
  //   current 39 × 0.12 = 4.68 + 1.00 = 5.68; proposed 39 × 0.10 = 3.90 + 1.00 = 4.90.
  assert.deepEqual(body.customers.map((r) => [r.customer, r.current?.total, r.proposed?.total, r.difference]), [
    ['acme', '39.42', '48.42', '9.00'],
    ['beta', '5.68', '4.90', '-0.78'],
  ]);
  assert.deepEqual(await t.api('/v1/invoices?period=2026-10', t.keys.finance), before);
});

test('a proposal without a plan in use is a 422 naming it; a bad catalogue lists its problems; finance only', async () => {
  const noHourly = CATALOG_TEXT.replace(/ {2}hourly:\n( {4}.*\n)+/, '').replace(/ {2}- \{ server_id: srv-2.*\n/, '');
  const missing = await post('/v1/what-if?period=2026-10', t.keys.finance, noHourly);
  assert.equal(missing.status, 422);
  assert.match(((await missing.json()) as { error: string }).error, /"hourly"/);
  const bad = await post('/v1/what-if?period=2026-10', t.keys.finance, 'currency: USD\nplans: 3\n');
  assert.equal(bad.status, 422);
  assert.equal((await post('/v1/what-if?period=10-2026', t.keys.finance, PROPOSED)).status, 422);
  assert.equal((await post('/v1/what-if?period=2026-10', t.keys.acme, PROPOSED)).status, 403);
});
