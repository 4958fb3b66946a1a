// SPEC §6.2 base fees (hourly: ceil of started hours; monthly: prorated by seconds) and calendar
// months in a non-UTC zone across a DST change (§6 "calendar month in timezone").
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDec, assertInvariants, billOk, catalog, invoice, line, sample, type Invoice } from './harness.js';

const PLANS = {
  hourly: { base_fee: { amount: '0.12', per: 'hour' } },
  monthly: { base_fee: { amount: '149.00', per: 'month' } },
  m310: { base_fee: { amount: '310.00', per: 'month' } },
};
const sub = (server_id: string, plan: string, from: string, to?: string) =>
  ({ server_id, customer: 'b', plan, from, ...(to ? { to } : {}) });
const CAT = catalog({
  meters: { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } },
  plans: PLANS,
  customers: { b: {} },
  subscriptions: [
    sub('srv-h1s', 'hourly', '2026-10-05T00:00:00Z', '2026-10-05T00:00:01Z'), // 1 s → 1 h
    sub('srv-h3600', 'hourly', '2026-10-06T00:00:00Z', '2026-10-06T01:00:00Z'), // 3600 s → 1 h
    sub('srv-h3601', 'hourly', '2026-10-07T00:00:00Z', '2026-10-07T01:00:01Z'), // 3601 s → 2 h
    sub('srv-hspan', 'hourly', '2026-09-30T22:30:00Z', '2026-10-01T01:30:00Z'), // 1.5 h in Sep, 1.5 h in Oct
    sub('srv-hex', 'hourly', '2026-10-10T12:30:00Z', '2026-10-12T03:00:00Z'), // 38.5 h → 39
    sub('srv-multi', 'm310', '2026-08-15T00:00:00Z', '2026-10-11T00:00:00Z'), // Oct part: 10 days
    sub('srv-full', 'monthly', '2026-09-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    sub('srv-half', 'monthly', '2026-11-16T00:00:00Z'), // November (30 days): 15 days = half
  ],
});

let oct: Invoice;
before(() => {
  oct = invoice(billOk({ catalog: CAT, events: [[]], period: '2026-10' }), 'b');
});
const bf = (s: string) => line(oct, 'base_fee', { server_id: s });

test('per hour: a subscription of 1 s is 1 started hour (0.12)', () => {
  assertDec(bf('srv-h1s').quantity, '1');
  assert.equal(bf('srv-h1s').amount, '0.12');
  assert.equal(bf('srv-h1s').unit, 'hour');
});

test('per hour: exactly 3600 s is 1 hour, 3601 s is 2', () => {
  assertDec(bf('srv-h3600').quantity, '1');
  assert.equal(bf('srv-h3600').amount, '0.12');
  assertDec(bf('srv-h3601').quantity, '2');
  assert.equal(bf('srv-h3601').amount, '0.24');
});

test('per hour: only the seconds inside the period count (Oct 1 00:00 → 01:30 → 2 h); 38.5 h → 39 h', () => {
  assertDec(bf('srv-hspan').quantity, '2');
  assert.equal(bf('srv-hspan').amount, '0.24');
  assertDec(bf('srv-hex').quantity, '39');
  assert.equal(bf('srv-hex').amount, '4.68');
});

test('per month: a subscription ending Oct 11 pays 10/31 of the month (310.00 → 100.00); whole month 149.00', () => {
  assert.equal(bf('srv-multi').amount, '100.00');
  assert.equal(bf('srv-full').amount, '149.00');
  assertDec(bf('srv-full').quantity, '1');
  assert.equal(bf('srv-full').unit, 'month');
});

test('October invoice: nothing for a subscription starting in November; total and invariants', () => {
  assert.equal(oct.lines.filter((l) => l.server_id === 'srv-half').length, 0);
  // 0.12 + 0.12 + 0.24 + 0.24 + 4.68 + 100.00 + 149.00 = 254.40
  assert.equal(oct.total, '254.40');
  assertInvariants(oct, 2);
});

test('per month from the 16th 00:00 of a 30-day month is exactly half (November: 74.50)', () => {
  const inv = invoice(billOk({ catalog: CAT, events: [[]], period: '2026-11' }), 'b');
  // 149.00 × (15 × 86400) ÷ (30 × 86400) = 74.50; srv-full whole November 149.00
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-half' }).amount, '74.50');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-full' }).amount, '149.00');
  assert.equal(inv.total, '223.50');
  assert.deepEqual(inv.period, { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' });
});

test('a subscription spanning several months is billed only for the period’s part (September)', () => {
  const inv = invoice(billOk({ catalog: CAT, events: [[]], period: '2026-09' }), 'b');
  // srv-multi whole September 310.00; srv-hspan Sep 30 22:30 → 24:00 = 1.5 h → 2 h = 0.24;
  // srv-full whole September 149.00 → total 459.24
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-multi' }).amount, '310.00');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-hspan' }).amount, '0.24');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-full' }).amount, '149.00');
  assert.equal(inv.total, '459.24');
});

test('Europe/Berlin October 2026 (DST ends Oct 25): 745 h = 2 682 000 s period', () => {
  const cat = catalog({
    timezone: 'Europe/Berlin',
    meters: {
      req: { metric: 'http_requests', kind: 'delta', unit: 'request' },
      ssd: { metric: 'disk', kind: 'gauge', aggregation: 'time_average', unit: 'GB-month' },
    },
    plans: {
      ...PLANS,
      metered: {
        base_fee: { amount: '149.00', per: 'month' },
        charges: [
          { meter: 'req', model: 'per_unit', unit_price: '1' },
          { meter: 'ssd', model: 'per_unit', unit_price: '1' },
        ],
      },
    },
    customers: { b: {} },
    subscriptions: [
      // Oct 16 00:00 CEST = Oct 15 22:00Z → Nov 1 00:00 CET = Oct 31 23:00Z: 16 days + 1 h = 385 h;
      // 149.00 × 385/745 = 77.00
      sub('srv-b1', 'monthly', '2026-10-16T00:00:00+02:00'),
      sub('srv-b2', 'metered', '2026-09-01T00:00:00Z'),
      // Oct 25 00:00 CEST → Oct 26 00:00 CET: the 25-hour day → 25 h × 0.12 = 3.00
      sub('srv-bh', 'hourly', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00'),
    ],
  });
  const events = [
    // period = [Sep 30 22:00Z, Oct 31 23:00Z): 100 and 1000 are outside; 1 + 2 = 3 inside.
    sample('srv-b2', '2026-09-30T21:59:59.999Z', { http_requests: 100 }),
    sample('srv-b2', '2026-09-30T22:00:00.000Z', { http_requests: 1 }),
    sample('srv-b2', '2026-10-31T22:59:59.999Z', { http_requests: 2 }),
    sample('srv-b2', '2026-10-31T23:00:00.000Z', { http_requests: 1000 }),
    // time_average over 2 682 000 s: 100 × 1 341 000 ÷ 2 682 000 = 50 GB-month
    sample('srv-b2', '2026-10-10T00:00:00Z', { disk: 100 }, { interval_s: 1341000 }),
  ];
  const inv = invoice(billOk({ catalog: cat, events: [events], period: '2026-10' }), 'b');
  assert.deepEqual(inv.period, { start: '2026-09-30T22:00:00Z', end: '2026-10-31T23:00:00Z' });
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-b1' }).amount, '77.00');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-b2' }).amount, '149.00');
  assertDec(line(inv, 'usage', { server_id: 'srv-b2', meter: 'req' }).quantity, '3');
  assertDec(line(inv, 'usage', { server_id: 'srv-b2', meter: 'ssd' }).quantity, '50');
  assertDec(line(inv, 'base_fee', { server_id: 'srv-bh' }).quantity, '25');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-bh' }).amount, '3.00');
  // 77.00 + 149.00 + 3.00 + 50.00 + 3.00 = 282.00
  assert.equal(inv.total, '282.00');
  assertInvariants(inv, 2);
});
