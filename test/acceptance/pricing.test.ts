// SPEC §6.3 pricing models, through `meterline bill` (UTC, October 2026). One delta meter `req`;
// each server sends one sample whose value is its usage q, and is rated on its own.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { amountSum, assertDec, assertInvariants, billOk, catalog, invoice, line, sample, type BillJson } from './harness.js';

// tiers used by both graduated and volume (free_units 10, so b = q − 10):
//   up to 100 @ 1.00 (flat 5.00), up to 200 @ 0.50 (flat 7.00), beyond @ 0.10 (flat 11.00)
const TIERS = [
  { up_to: '100', unit_price: '1.00', flat_fee: '5.00' },
  { up_to: '200', unit_price: '0.50', flat_fee: '7.00' },
  { up_to: null, unit_price: '0.10', flat_fee: '11.00' },
];
const base = { amount: '1.00', per: 'month' };
const CAT = catalog({
  meters: { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } },
  plans: {
    pu: { base_fee: base, charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.01', free_units: '1000' }] },
    grad: { base_fee: base, charges: [{ meter: 'req', model: 'graduated', free_units: '10', tiers: TIERS }] },
    vol: { base_fee: base, charges: [{ meter: 'req', model: 'volume', free_units: '10', tiers: TIERS }] },
    pkg: { base_fee: base, charges: [{ meter: 'req', model: 'package', package_size: '1000', package_price: '2.50' }] },
    pkgf: {
      base_fee: base,
      charges: [{ meter: 'req', model: 'package', free_units: '500', package_size: '1000', package_price: '2.50' }],
    },
  },
  customers: { 'c-pu': {}, 'c-grad': {}, 'c-vol': {}, 'c-pkg': {} },
  subscriptions: [] as object[],
});
const USAGE: Array<[server: string, customer: string, plan: string, q: number, from?: string]> = [
  ['srv-pu1', 'c-pu', 'pu', 1500],
  ['srv-pu2', 'c-pu', 'pu', 300],
  ['srv-pu3', 'c-pu', 'pu', 800],
  ['srv-g0', 'c-grad', 'grad', 4],
  ['srv-g100', 'c-grad', 'grad', 110],
  ['srv-g101', 'c-grad', 'grad', 111],
  ['srv-g200', 'c-grad', 'grad', 210],
  ['srv-g250', 'c-grad', 'grad', 260],
  ['srv-gpart', 'c-grad', 'grad', 110, '2026-10-16T00:00:00Z'],
  ['srv-v0', 'c-vol', 'vol', 4],
  ['srv-v100', 'c-vol', 'vol', 110],
  ['srv-v150', 'c-vol', 'vol', 160],
  ['srv-v200', 'c-vol', 'vol', 210],
  ['srv-v250', 'c-vol', 'vol', 260],
  ['srv-k0', 'c-pkg', 'pkg', 0],
  ['srv-k1', 'c-pkg', 'pkg', 1],
  ['srv-k1000', 'c-pkg', 'pkg', 1000],
  ['srv-k1001', 'c-pkg', 'pkg', 1001],
  ['srv-kf', 'c-pkg', 'pkgf', 1500],
];
for (const [server_id, customer, plan, , from] of USAGE) {
  (CAT as { subscriptions: object[] }).subscriptions.push({
    server_id, customer, plan, from: from ?? '2026-09-01T00:00:00Z',
  });
}
const EVENTS = USAGE.map(([s, , , q]) => sample(s, '2026-10-20T00:00:00Z', { http_requests: q }));

let out: BillJson;
before(() => {
  out = billOk({ catalog: CAT, events: [EVENTS], period: '2026-10' });
});
const usageAmount = (customer: string, server: string): string =>
  amountSum(invoice(out, customer), 'usage', { server_id: server });

test('per_unit with free units: (1500 − 1000) × 0.01 = 5.00', () => {
  const l = line(invoice(out, 'c-pu'), 'usage', { server_id: 'srv-pu1' });
  assertDec(l.quantity, '1500');
  assert.equal(l.amount, '5.00');
});

test('free units larger than usage bill nothing, per server (300 and 800 of 1000 free)', () => {
  // each server rated on its own: pooled, 300 + 800 + 1500 − 1000 would bill more
  assertDec(usageAmount('c-pu', 'srv-pu2'), '0');
  assertDec(usageAmount('c-pu', 'srv-pu3'), '0');
  const inv = invoice(out, 'c-pu');
  assert.equal(inv.total, '8.00'); // 3 × 1.00 base + 5.00
  assertInvariants(inv, 2);
});

test('graduated: b exactly on a tier bound stays in that tier; a flat fee per tier reached', () => {
  // b = 100: 100 × 1.00 + flat 5.00 = 105.00 (tier 2 needs b > 100)
  assertDec(usageAmount('c-grad', 'srv-g100'), '105.00');
  // b = 101: 100 × 1.00 + 1 × 0.50 + 5.00 + 7.00 = 112.50
  assertDec(usageAmount('c-grad', 'srv-g101'), '112.50');
  // b = 200: 100 + 100 × 0.50 + 5 + 7 = 162.00 (tier 3 not reached)
  assertDec(usageAmount('c-grad', 'srv-g200'), '162.00');
  // b = 250: 100 + 50 + 50 × 0.10 + 5 + 7 + 11 = 178.00
  assertDec(usageAmount('c-grad', 'srv-g250'), '178.00');
});

test('graduated: b = 0 (usage within free units) reaches no tier: no flat fee', () => {
  assertDec(usageAmount('c-grad', 'srv-g0'), '0');
});

test('free units are not prorated for a half-month subscription (b = 110 − 10 = 100 → 105.00)', () => {
  assertDec(usageAmount('c-grad', 'srv-gpart'), '105.00');
});

test('volume: all of b at the first tier whose up_to ≥ b, plus that tier’s flat fee alone', () => {
  // b = 100 → tier 1: 100 × 1.00 + 5.00 = 105.00
  assertDec(usageAmount('c-vol', 'srv-v100'), '105.00');
  // b = 150 → tier 2: 150 × 0.50 + 7.00 = 82.00
  assertDec(usageAmount('c-vol', 'srv-v150'), '82.00');
  // b = 200 → tier 2 (200 ≤ 200): 100.00 + 7.00 = 107.00
  assertDec(usageAmount('c-vol', 'srv-v200'), '107.00');
  // b = 250 → tier 3: 25.00 + 11.00 = 36.00
  assertDec(usageAmount('c-vol', 'srv-v250'), '36.00');
});

test('volume: no flat fee when b = 0', () => {
  assertDec(usageAmount('c-vol', 'srv-v0'), '0');
});

test('package: ceil(b ÷ size) × price (0 → 0, 1 → 1, 1000 → 1, 1001 → 2 packages)', () => {
  assertDec(usageAmount('c-pkg', 'srv-k0'), '0');
  assertDec(usageAmount('c-pkg', 'srv-k1'), '2.50');
  assertDec(usageAmount('c-pkg', 'srv-k1000'), '2.50');
  assertDec(usageAmount('c-pkg', 'srv-k1001'), '5.00');
  // free 500: b = 1000 → 1 package
  assertDec(usageAmount('c-pkg', 'srv-kf'), '2.50');
});

test('pricing invoices: totals and invariants', () => {
  // grad: 6 × base; srv-gpart Oct 16 → Nov 1 = 16/31 × 1.00 = 0.516 → 0.52;
  //   5 × 1.00 + 0.52 + 105 + 112.50 + 162 + 178 + 0 + 105 = 668.02
  assert.equal(invoice(out, 'c-grad').total, '668.02');
  // vol: 5.00 + 105 + 82 + 107 + 36 + 0 = 335.00
  assert.equal(invoice(out, 'c-vol').total, '335.00');
  // pkg: 5.00 + 0 + 2.50 + 2.50 + 5.00 + 2.50 = 17.50
  assert.equal(invoice(out, 'c-pkg').total, '17.50');
  for (const inv of out.invoices) assertInvariants(inv, 2);
});
