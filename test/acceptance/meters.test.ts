// SPEC §3 meter kinds and aggregations, through `meterline bill` (October 2026, UTC: 31 days =
// 2 678 400 s). Every charge is per_unit at unit_price "1", so each usage line's amount is its
// quantity rounded to cents. One bill run; one test per kind/aggregation.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountSum, assertDec, assertInvariants, billOk, catalog, invoice, line, lines, sample,
  type BillJson,
} from './harness.js';

const perUnit = (meter: string): object => ({ meter, model: 'per_unit', unit_price: '1' });
const METERS = {
  req: { metric: 'http_requests', kind: 'delta', unit: 'request' },
  kreq: { metric: 'http_requests', kind: 'delta', factor: 0.001, unit: 'krequest' },
  bytes: { metric: 'net_tx', kind: 'counter', unit: 'B' },
  gb: { metric: 'net_bytes', kind: 'counter', factor: 1e-9, unit: 'GB' },
  lvl_max: { metric: 'lvl', kind: 'gauge', aggregation: 'max', unit: 'x' },
  lvl_min: { metric: 'lvl', kind: 'gauge', aggregation: 'min', unit: 'x' },
  lvl_avg: { metric: 'lvl', kind: 'gauge', aggregation: 'avg', unit: 'x' },
  lvl_latest: { metric: 'lvl', kind: 'gauge', aggregation: 'latest', unit: 'x' },
  ipi: { metric: 'ips', kind: 'gauge', aggregation: 'integral', per_seconds: 3600, unit: 'IP-hour' },
  ipi300: { metric: 'ips2', kind: 'gauge', aggregation: 'integral', per_seconds: 3600, interval_s: 300, unit: 'IP-hour' },
  ssd: { metric: 'disk', kind: 'gauge', aggregation: 'time_average', interval_s: 267840, unit: 'GB-month' },
};
const SERVERS = ['srv-delta', 'srv-ctr', 'srv-ctr-first', 'srv-gb', 'srv-gauge', 'srv-int', 'srv-int300', 'srv-tavg'];
const CAT = catalog({
  meters: METERS,
  plans: { p: { base_fee: { amount: '10.00', per: 'month' }, charges: Object.keys(METERS).map(perUnit) } },
  customers: { m: {}, m2: {} },
  subscriptions: [
    ...SERVERS.map((s) => ({ server_id: s, customer: 'm', plan: 'p', from: '2026-09-01T00:00:00Z' })),
    { server_id: 'srv-carry', customer: 'm', plan: 'p', from: '2026-09-01T00:00:00Z', to: '2026-10-15T00:00:00Z' },
    { server_id: 'srv-carry', customer: 'm2', plan: 'p', from: '2026-10-15T00:00:00Z' },
  ],
});

const EVENTS = [
  // delta: 5 + 7 + 3.5 = 15.5 in October; the Sep 30 23:59:59.999 and Nov 1 00:00 samples are
  // outside the period.
  sample('srv-delta', '2026-09-30T23:59:59.999Z', { http_requests: 100 }),
  sample('srv-delta', '2026-10-03T00:00:00Z', { http_requests: 5 }),
  sample('srv-delta', '2026-10-04T00:00:00Z', { http_requests: 7 }),
  sample('srv-delta', '2026-10-05T00:00:00Z', { http_requests: 3.5 }),
  sample('srv-delta', '2026-11-01T00:00:00Z', { http_requests: 1000 }),
  // counter, in this arrival order:
  //   a Sep 30 23:00 100   baseline (before the period; carried into October)
  //   b Oct 1 01:00  150   +50
  //   c Oct 2 00:00  400   +250
  //   d Oct 1 12:00  9999  ts older than the newest applied (Oct 2) → nothing, changes nothing
  //   e Oct 2 00:00  500   ts equal to the newest applied → nothing
  //   f Oct 3 00:00  30    30 < 400 → reset, increase 30
  //   g Oct 4 00:00  80    +50
  //   h Nov 1 00:00  1000  +920, belongs to November (window of the newer sample)
  // October = 50 + 250 + 30 + 50 = 380.
  sample('srv-ctr', '2026-09-30T23:00:00Z', { net_tx: 100 }),
  sample('srv-ctr', '2026-10-01T01:00:00Z', { net_tx: 150 }),
  sample('srv-ctr', '2026-10-02T00:00:00Z', { net_tx: 400 }),
  sample('srv-ctr', '2026-10-01T12:00:00Z', { net_tx: 9999 }),
  sample('srv-ctr', '2026-10-02T00:00:00Z', { net_tx: 500 }),
  sample('srv-ctr', '2026-10-03T00:00:00Z', { net_tx: 30 }),
  sample('srv-ctr', '2026-10-04T00:00:00Z', { net_tx: 80 }),
  sample('srv-ctr', '2026-11-01T00:00:00Z', { net_tx: 1000 }),
  // counter whose first sample ever is inside the period: baseline (0), then 1500 − 1000 = 500.
  sample('srv-ctr-first', '2026-10-05T00:00:00Z', { net_tx: 1000 }),
  sample('srv-ctr-first', '2026-10-06T00:00:00Z', { net_tx: 1500 }),
  // counter baseline carries across subscriptions: Oct 14 1000 is the first sample (baseline,
  // subscription of customer m); Oct 16 1600 → +600 in customer m2's subscription.
  sample('srv-carry', '2026-10-14T00:00:00Z', { net_tx: 1000 }),
  sample('srv-carry', '2026-10-16T00:00:00Z', { net_tx: 1600 }),
  // factor 1e-9 on a counter: (1 750 500 000 000 − 500 000 000 000) × 1e-9 = 1250.5 GB.
  sample('srv-gb', '2026-10-01T00:00:00Z', { net_bytes: 500000000000 }),
  sample('srv-gb', '2026-10-20T00:00:00Z', { net_bytes: 1750500000000 }),
  // gauge levels (arrival order ≠ ts order): Oct 5 → 8, Oct 2 → 10, Oct 3 → 30; outside the
  // period Sep 30 → 1000 and Nov 1 → 0.5 must not count.
  // max 30, min 8, avg (8+10+30)/3 = 16, latest (newest ts, Oct 5) = 8.
  sample('srv-gauge', '2026-09-30T23:00:00Z', { lvl: 1000 }),
  sample('srv-gauge', '2026-10-05T00:00:00Z', { lvl: 8 }, { interval_s: 3600 }),
  sample('srv-gauge', '2026-10-02T00:00:00Z', { lvl: 10 }, { interval_s: 1800 }),
  sample('srv-gauge', '2026-10-03T00:00:00Z', { lvl: 30 }),
  sample('srv-gauge', '2026-11-01T00:00:00Z', { lvl: 0.5 }),
  // integral (per_seconds 3600, meter without interval_s → 60):
  //   2 × 3600 + 1 × 1800 + 3 × 60 (interval_s missing) + 1 × 7200 (Oct 31 23:30, counted whole,
  //   not split at the period end) = 7200 + 1800 + 180 + 7200 = 16380 ÷ 3600 = 4.55.
  sample('srv-int', '2026-10-02T00:00:00Z', { ips: 2 }, { interval_s: 3600 }),
  sample('srv-int', '2026-10-03T00:00:00Z', { ips: 1 }, { interval_s: 1800 }),
  sample('srv-int', '2026-10-04T00:00:00Z', { ips: 3 }),
  sample('srv-int', '2026-10-31T23:30:00Z', { ips: 1 }, { interval_s: 7200 }),
  // integral with the meter's interval_s 300: 6 × 300 (missing) + 1 × 1800 = 3600 ÷ 3600 = 1.
  sample('srv-int300', '2026-10-02T00:00:00Z', { ips2: 6 }),
  sample('srv-int300', '2026-10-03T00:00:00Z', { ips2: 1 }, { interval_s: 1800 }),
  // time_average over October's 2 678 400 s, meter interval_s 267 840:
  //   200 × 1 339 200 ÷ 2 678 400 = 100; 10 × 267 840 (missing → meter's) ÷ 2 678 400 = 1;
  //   31 × 86 400 (Oct 31 23:59, whole) ÷ 2 678 400 = 1  → 102 GB-month.
  sample('srv-tavg', '2026-10-16T00:00:00Z', { disk: 200 }, { interval_s: 1339200 }),
  sample('srv-tavg', '2026-10-17T00:00:00Z', { disk: 10 }),
  sample('srv-tavg', '2026-10-31T23:59:00Z', { disk: 31 }, { interval_s: 86400 }),
];

let out: BillJson;
before(() => {
  out = billOk({ catalog: CAT, events: [EVENTS], period: '2026-10' });
});

const usage = (server: string, meter: string, customer = 'm') =>
  line(invoice(out, customer), 'usage', { server_id: server, meter });

test('delta: usage = sum of the values inside the period (15.5)', () => {
  const l = usage('srv-delta', 'req');
  assertDec(l.quantity, '15.5');
  assert.equal(l.amount, '15.50');
  assert.equal(l.unit, 'request');
});

test('factor on a delta meter: 15.5 × 0.001 = 0.0155 → 0.02', () => {
  const l = usage('srv-delta', 'kreq');
  assertDec(l.quantity, '0.0155');
  assert.equal(l.amount, '0.02');
});

test('counter: baseline from before the period, reset, out-of-order and equal-ts samples ignored (380)', () => {
  const l = usage('srv-ctr', 'bytes');
  assertDec(l.quantity, '380');
  assert.equal(l.amount, '380.00');
});

test('counter: the first sample ever is the baseline (500, not 1500)', () => {
  assertDec(usage('srv-ctr-first', 'bytes').quantity, '500');
});

test('counter: the baseline carries across subscriptions; the increase goes to the newer sample’s', () => {
  // customer m's part (Oct 1–15) has only the baseline: nothing billable.
  assert.equal(amountSum(invoice(out, 'm'), 'usage', { server_id: 'srv-carry' }), '0');
  const l = usage('srv-carry', 'bytes', 'm2');
  assertDec(l.quantity, '600');
  assert.equal(l.amount, '600.00');
});

test('factor 1e-9 on a counter: 1.2505e12 B → 1250.5 GB', () => {
  const l = usage('srv-gb', 'gb');
  assertDec(l.quantity, '1250.5');
  assert.equal(l.amount, '1250.50');
  assert.equal(l.unit, 'GB');
});

test('gauge max = 30 (samples outside the period ignored)', () => {
  assertDec(usage('srv-gauge', 'lvl_max').quantity, '30');
});

test('gauge min = 8', () => {
  assertDec(usage('srv-gauge', 'lvl_min').quantity, '8');
});

test('gauge avg = mean of samples = 16', () => {
  const l = usage('srv-gauge', 'lvl_avg');
  assertDec(l.quantity, '16');
  assert.equal(l.amount, '16.00');
});

test('gauge latest = value of the newest sample by ts (8), not the last arrival', () => {
  assertDec(usage('srv-gauge', 'lvl_latest').quantity, '8');
});

test('gauge integral: Σ value × interval_s ÷ per_seconds, missing interval_s → 60 (4.55)', () => {
  const l = usage('srv-int', 'ipi');
  assertDec(l.quantity, '4.55');
  assert.equal(l.amount, '4.55');
  assert.equal(l.unit, 'IP-hour');
});

test('gauge integral: missing interval_s → the meter’s interval_s (300) → 1', () => {
  assertDec(usage('srv-int300', 'ipi300').quantity, '1');
});

test('gauge time_average: Σ value × interval_s ÷ seconds of October (102 GB-month)', () => {
  const l = usage('srv-tavg', 'ssd');
  assertDec(l.quantity, '102');
  assert.equal(l.amount, '102.00');
});

test('meter invoices: base fees, totals and invariants', () => {
  const m = invoice(out, 'm');
  // base: 8 full-month servers × 10.00 + srv-carry Oct 1–15 (14 of 31 days: 140/31 = 4.516… → 4.52)
  assert.equal(lines(m, 'base_fee').length, 9);
  assert.equal(line(m, 'base_fee', { server_id: 'srv-carry' }).amount, '4.52');
  // usage: 15.50 + 0.02 + 380.00 + 500.00 + 0 + 1250.50 + 30 + 8 + 16 + 8 + 4.55 + 1.00 + 102.00
  //      = 2315.57; base 80.00 + 4.52 = 84.52; total 2400.09.
  assert.equal(m.total, '2400.09');
  assertInvariants(m, 2);
  const m2 = invoice(out, 'm2');
  // m2: srv-carry Oct 15 → Nov 1 = 17/31 × 10 = 5.4838… → 5.48; usage 600.00 → 605.48
  assert.equal(line(m2, 'base_fee', { server_id: 'srv-carry' }).amount, '5.48');
  assert.equal(m2.total, '605.48');
  assertInvariants(m2, 2);
});
