// SPEC §6.5 rounding, discount and minimum commit; §6.6 contract overrides; currencies with 0 and
// 3 minor digits (§5). Delta meter `req`; every base fee and usage line worked out by hand.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertInvariants, billOk, catalog, invoice, line, lines, sample, type BillJson,
} from './harness.js';

const METERS = {
  req: { metric: 'http_requests', kind: 'delta', unit: 'request' },
  gb: { metric: 'gbytes', kind: 'delta', unit: 'GB' },
};
const full = (server_id: string, customer: string, plan: string, from = '2026-09-01T00:00:00Z') =>
  ({ server_id, customer, plan, from });

const cat = catalog({
  meters: METERS,
  plans: {
    pr: { base_fee: { amount: '100.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.001' }] },
    pd: { base_fee: { amount: '100.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '1' }] },
    d8: {
      base_fee: { amount: '149.00', per: 'month' },
      charges: [
        { meter: 'req', model: 'per_unit', unit_price: '0.10' },
        { meter: 'gb', model: 'per_unit', unit_price: '0.5' },
      ],
    },
  },
  customers: {
    'r-half': {},
    'r-disc': { contract: { discount_pct: '10', minimum_commit: '500.00' } },
    'r-eq': { contract: { discount_pct: '10', minimum_commit: '111.10' } },
    'r-below': { contract: { discount_pct: '10', minimum_commit: '100.00' } },
    'r-disc125': { contract: { discount_pct: '12.5' } },
    'r-commit': { contract: { minimum_commit: '150.00' } },
    'o-over': {
      contract: {
        overrides: {
          d8: {
            base_fee: { amount: '129.00', per: 'month' },
            charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.20' }],
          },
        },
      },
    },
    'o-plain': {},
  },
  subscriptions: [
    full('srv-half', 'r-half', 'pr'),
    full('srv-disc', 'r-disc', 'pd'),
    full('srv-eq', 'r-eq', 'pd'),
    full('srv-below', 'r-below', 'pd'),
    full('srv-125', 'r-disc125', 'pd'),
    full('srv-commit', 'r-commit', 'pd'),
    full('srv-over', 'o-over', 'd8'),
    full('srv-plain', 'o-plain', 'd8'),
  ],
});
const ev = (s: string, metrics: Record<string, number>) => sample(s, '2026-10-10T00:00:00Z', metrics);
const events = [
  ev('srv-half', { http_requests: 12505 }),
  ev('srv-disc', { http_requests: 23.45 }),
  ev('srv-eq', { http_requests: 23.45 }),
  ev('srv-below', { http_requests: 23.45 }),
  ev('srv-125', { http_requests: 0.04 }),
  ev('srv-over', { http_requests: 100, gbytes: 10 }),
  ev('srv-plain', { http_requests: 100, gbytes: 10 }),
];
let out: BillJson;
before(() => {
  out = billOk({ catalog: cat, events: [events], period: '2026-10' });
});

test('half-up on a tie: 12505 × 0.001 = 12.505 → 12.51 (half-even or binary floats give 12.50)', () => {
  const inv = invoice(out, 'r-half');
  assert.equal(line(inv, 'usage', { server_id: 'srv-half' }).amount, '12.51');
  assert.equal(inv.subtotal, '112.51');
  assert.equal(inv.total, '112.51');
});

test('discount = −round(subtotal × pct ÷ 100), a negative tie rounded away from zero; commit true-up', () => {
  const inv = invoice(out, 'r-disc');
  // subtotal 100.00 + 23.45 = 123.45; discount −round(12.345) = −12.35;
  // true-up 500.00 − (123.45 − 12.35) = 388.90; total 500.00
  assert.equal(inv.subtotal, '123.45');
  assert.equal(line(inv, 'discount').amount, '-12.35');
  assert.equal(line(inv, 'minimum_commit').amount, '388.90');
  assert.equal(inv.total, '500.00');
  assertInvariants(inv, 2);
});

test('minimum_commit line omitted when the true-up is zero (commit = net, and commit < net)', () => {
  for (const c of ['r-eq', 'r-below']) {
    const inv = invoice(out, c);
    // 123.45 − 12.35 = 111.10 ≥ commit → no true-up line
    assert.equal(line(inv, 'discount').amount, '-12.35');
    assert.equal(lines(inv, 'minimum_commit').length, 0, `${c} has no minimum_commit line`);
    assert.equal(inv.total, '111.10');
  }
});

test('fractional discount_pct: 100.04 × 12.5 % = 12.505 → −12.51', () => {
  const inv = invoice(out, 'r-disc125');
  assert.equal(inv.subtotal, '100.04');
  assert.equal(line(inv, 'discount').amount, '-12.51');
  assert.equal(inv.total, '87.53');
});

test('minimum_commit without discount: 150.00 − 100.00 = 50.00 true-up', () => {
  const inv = invoice(out, 'r-commit');
  assert.equal(line(inv, 'minimum_commit').amount, '50.00');
  assert.equal(inv.subtotal, '100.00');
  assert.equal(inv.total, '150.00');
  assertInvariants(inv, 2);
});

test('contract overrides replace the plan’s base_fee and the charge of the same meter', () => {
  const o = invoice(out, 'o-over');
  // base 129.00; req 100 × 0.20 = 20.00 (overridden); gb 10 × 0.5 = 5.00 (plan's) → 154.00
  assert.equal(line(o, 'base_fee', { server_id: 'srv-over' }).amount, '129.00');
  assert.equal(line(o, 'usage', { server_id: 'srv-over', meter: 'req' }).amount, '20.00');
  assert.equal(line(o, 'usage', { server_id: 'srv-over', meter: 'gb' }).amount, '5.00');
  assert.equal(o.total, '154.00');
  // the same plan without a contract: 149.00 + 10.00 + 5.00 = 164.00
  const p = invoice(out, 'o-plain');
  assert.equal(line(p, 'base_fee', { server_id: 'srv-plain' }).amount, '149.00');
  assert.equal(line(p, 'usage', { server_id: 'srv-plain', meter: 'req' }).amount, '10.00');
  assert.equal(p.total, '164.00');
});

test('USD invoices: every amount has exactly 2 minor digits; subtotal and total add up', () => {
  for (const inv of out.invoices) assertInvariants(inv, 2);
});

test('JPY (0 minor digits): amounts are whole yen, half-up', () => {
  const cat = catalog({
    currency: 'JPY',
    meters: METERS,
    plans: { j: { base_fee: { amount: '1001', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.5' }] } },
    customers: { jp: { currency: 'JPY', contract: { discount_pct: '10' } } },
    subscriptions: [full('srv-j1', 'jp', 'j', '2026-09-16T00:00:00Z'), full('srv-j2', 'jp', 'j')],
  });
  const events = [
    sample('srv-j1', '2026-09-20T00:00:00Z', { http_requests: 5 }),
    sample('srv-j2', '2026-09-20T00:00:00Z', { http_requests: 3 }),
  ];
  const inv = invoice(billOk({ catalog: cat, events: [events], period: '2026-09' }), 'jp');
  assert.equal(inv.currency, 'JPY');
  // srv-j1: 1001 × 15/30 = 500.5 → 501; 5 × 0.5 = 2.5 → 3
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-j1' }).amount, '501');
  assert.equal(line(inv, 'usage', { server_id: 'srv-j1' }).amount, '3');
  // srv-j2: 1001; 3 × 0.5 = 1.5 → 2
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-j2' }).amount, '1001');
  assert.equal(line(inv, 'usage', { server_id: 'srv-j2' }).amount, '2');
  // subtotal 1507; discount −round(150.7) = −151; total 1356
  assert.equal(inv.subtotal, '1507');
  assert.equal(line(inv, 'discount').amount, '-151');
  assert.equal(inv.total, '1356');
  assertInvariants(inv, 0);
});

test('BHD (3 minor digits): amounts carry three decimals, half-up', () => {
  const cat = catalog({
    currency: 'BHD',
    meters: METERS,
    plans: { h: { base_fee: { amount: '10.000', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.0125' }] } },
    customers: { bh: { contract: { discount_pct: '10' } } },
    subscriptions: [full('srv-h1', 'bh', 'h'), full('srv-h2', 'bh', 'h')],
  });
  const events = [
    sample('srv-h1', '2026-10-20T00:00:00Z', { http_requests: 1 }),
    sample('srv-h2', '2026-10-20T00:00:00Z', { http_requests: 7 }),
  ];
  const inv = invoice(billOk({ catalog: cat, events: [events], period: '2026-10' }), 'bh');
  assert.equal(inv.currency, 'BHD');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-h1' }).amount, '10.000');
  // 1 × 0.0125 = 0.0125 → 0.013; 7 × 0.0125 = 0.0875 → 0.088
  assert.equal(line(inv, 'usage', { server_id: 'srv-h1' }).amount, '0.013');
  assert.equal(line(inv, 'usage', { server_id: 'srv-h2' }).amount, '0.088');
  // subtotal 20.101; discount −round(2.0101) = −2.010; total 18.091
  assert.equal(inv.subtotal, '20.101');
  assert.equal(line(inv, 'discount').amount, '-2.010');
  assert.equal(inv.total, '18.091');
  assertInvariants(inv, 3);
});

test('an override may replace a charge with another model (YAML catalogue): graduated instead of per_unit', () => {
  const yaml = `currency: USD
meters:
  req: { metric: http_requests, kind: delta, unit: request }
plans:
  p:
    base_fee: { amount: "10.00", per: month }
    charges:
      - { meter: req, model: per_unit, unit_price: "1" }
customers:
  c:
    contract:
      overrides:
        p:
          charges:
            - { meter: req, model: graduated, free_units: "5",
                tiers: [ { up_to: "10", unit_price: "0.50" }, { up_to: null, unit_price: "0.10" } ] }
subscriptions:
  - { server_id: srv-1, customer: c, plan: p, from: "2026-09-01T00:00:00Z" }
`;
  const out = billOk({ catalog: yaml, events: [[sample('srv-1', '2026-10-02T00:00:00Z', { http_requests: 25 })]], period: '2026-10' });
  // b = 25 − 5 = 20: 10 × 0.50 + 10 × 0.10 = 6.00 (the plan's per_unit would be 25.00)
  const inv = invoice(out, 'c');
  assert.equal(line(inv, 'usage', { server_id: 'srv-1' }).amount, '6.00');
  assert.equal(inv.total, '16.00');
});
