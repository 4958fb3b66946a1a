// Sharper edges of SPEC §3, §6.3 and §6.4: per-subscription rating of one server, time_average
// over the period (not the subscription), whole intervals at subscription boundaries, SLA
// thresholds hit exactly, down time outside the period, other time zones.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountSum, assertDec, assertInvariants, billOk, catalog, hostAlert, invoice, line, lines, sample, type BillJson,
} from './harness.js';

const METERS = {
  req: { metric: 'http_requests', kind: 'delta', unit: 'request' },
  ssd: { metric: 'disk', kind: 'gauge', aggregation: 'time_average', unit: 'GB-month' },
  ipi: { metric: 'ips', kind: 'gauge', aggregation: 'integral', per_seconds: 3600, unit: 'IP-hour' },
  peak: { metric: 'cpu', kind: 'gauge', aggregation: 'max', unit: '%' },
  mean: { metric: 'temp', kind: 'gauge', aggregation: 'avg', unit: 'C' },
  halfmax: { metric: 'temp', kind: 'gauge', aggregation: 'max', factor: 0.5, unit: 'C' },
  ctr: { metric: 'nb', kind: 'counter', unit: 'B' },
};
const CREDITS = [
  { below: '99.9', credit_pct: '10' },
  { below: '99.0', credit_pct: '25' },
  { below: '95.0', credit_pct: '100' },
];
const CAT = catalog({
  meters: METERS,
  plans: {
    pu: {
      base_fee: { amount: '31.00', per: 'month' },
      charges: [
        { meter: 'req', model: 'per_unit', unit_price: '0.01', free_units: '1000' },
        { meter: 'ssd', model: 'per_unit', unit_price: '1' },
        { meter: 'ipi', model: 'per_unit', unit_price: '1' },
        { meter: 'peak', model: 'per_unit', unit_price: '1' },
        { meter: 'mean', model: 'per_unit', unit_price: '1' },
        { meter: 'halfmax', model: 'per_unit', unit_price: '1' },
        { meter: 'ctr', model: 'per_unit', unit_price: '1' },
      ],
    },
    other: { base_fee: { amount: '62.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '0.10' }] },
    s: { base_fee: { amount: '100.00', per: 'month' }, sla: { credits: CREDITS } },
  },
  customers: { e: {}, s99: {}, s95: {}, sout: {}, srep: {}, spre: {}, sse: {} },
  subscriptions: [
    // srv-twice: rented Oct 1–10, returned, rented again from Oct 20 (same plan, same customer)
    { server_id: 'srv-twice', customer: 'e', plan: 'pu', from: '2026-10-01T00:00:00Z', to: '2026-10-10T00:00:00Z' },
    { server_id: 'srv-twice', customer: 'e', plan: 'pu', from: '2026-10-20T00:00:00Z' },
    // srv-change: plan change on Oct 16
    { server_id: 'srv-change', customer: 'e', plan: 'pu', from: '2026-09-01T00:00:00Z', to: '2026-10-16T00:00:00Z' },
    { server_id: 'srv-change', customer: 'e', plan: 'other', from: '2026-10-16T00:00:00Z' },
    // srv-half: from Oct 16 (16 of 31 days)
    { server_id: 'srv-half', customer: 'e', plan: 'pu', from: '2026-10-16T00:00:00Z' },
    { server_id: 'srv-99', customer: 's99', plan: 's', from: '2026-09-01T00:00:00Z' },
    { server_id: 'srv-95', customer: 's95', plan: 's', from: '2026-09-01T00:00:00Z' },
    { server_id: 'srv-out', customer: 'sout', plan: 's', from: '2026-09-01T00:00:00Z' },
    { server_id: 'srv-rep', customer: 'srep', plan: 's', from: '2026-09-01T00:00:00Z' },
    // Oct 17 → Nov 1 = 1 296 000 s; base 100.00 × 15/31 = 48.39
    { server_id: 'srv-pre', customer: 'spre', plan: 's', from: '2026-10-17T00:00:00Z' },
    { server_id: 'srv-se', customer: 'sse', plan: 's', from: '2026-09-01T00:00:00Z' },
  ],
});
const EVENTS = [
  // srv-twice: 800 requests in each subscription. Free units apply per subscription (§6.3
  // "per subscription"): 800 − 1000 → 0 twice. (Pooled per server: 1600 − 1000 = 600 → 6.00.)
  sample('srv-twice', '2026-10-05T00:00:00Z', { http_requests: 800 }),
  sample('srv-twice', '2026-10-25T00:00:00Z', { http_requests: 800 }),
  // ...and a sample in the gap between them is unattributed (Oct 15: 50)
  sample('srv-twice', '2026-10-15T00:00:00Z', { http_requests: 50 }),
  // srv-change: 3000 under pu (Oct 10 → (3000 − 1000) × 0.01 = 20.00), 300 under other (Oct 20
  // → 300 × 0.10 = 30.00). The cpu max is per subscription: 90 on Oct 10 (pu), 95 on Oct 20
  // (other, which has no peak charge) → pu's peak = 90.
  sample('srv-change', '2026-10-10T00:00:00Z', { http_requests: 3000, cpu: 90 }),
  sample('srv-change', '2026-10-20T00:00:00Z', { http_requests: 300, cpu: 95 }),
  // srv-change integral: a sample at Oct 15 23:00 with interval_s 7200 counts whole in the pu
  // subscription (never split at the subscription end): 3 × 7200 ÷ 3600 = 6.
  sample('srv-change', '2026-10-15T23:00:00Z', { ips: 3 }, { interval_s: 7200 }),
  // srv-half: time_average divides by the seconds of the billing period (2 678 400), not of
  // the subscription: 200 × 1 339 200 ÷ 2 678 400 = 100 (÷ the 1 382 400 subscription seconds
  // would be 193.75).
  sample('srv-half', '2026-10-20T00:00:00Z', { disk: 200 }, { interval_s: 1339200 }),
  // srv-half avg over samples, not over days: Oct 20: 10, 20, 30; Oct 21: 100 → 160 ÷ 4 = 40
  // (the mean of the daily means would be (20 + 100) ÷ 2 = 60). halfmax = 100 × 0.5 = 50.
  sample('srv-half', '2026-10-20T01:00:00Z', { temp: 10 }),
  sample('srv-half', '2026-10-20T02:00:00Z', { temp: 20 }),
  sample('srv-half', '2026-10-20T03:00:00Z', { temp: 30 }),
  sample('srv-half', '2026-10-21T01:00:00Z', { temp: 100 }),
  // srv-twice counter: Oct 5 100 (baseline, 1st subscription), Oct 15 300 (+200, in the gap →
  // unattributed), Oct 25 350 (+50, 2nd subscription).
  sample('srv-twice', '2026-10-05T01:00:00Z', { nb: 100 }),
  sample('srv-twice', '2026-10-15T01:00:00Z', { nb: 300 }),
  sample('srv-twice', '2026-10-25T01:00:00Z', { nb: 350 }),
];
// October = 2 678 400 s.
const LOG = [
  // srv-99: down exactly 1 % = 26 784 s (Oct 10 00:00 → 07:26:24) → availability exactly 99.0:
  // not under 99.0, under 99.9 → 10 % → −10.00
  hostAlert('2026-10-10T00:00:00Z', 'srv-99', 'DOWN', 'HARD'),
  hostAlert('2026-10-10T07:26:24Z', 'srv-99', 'UP', 'HARD'),
  // srv-95: down exactly 5 % = 133 920 s (Oct 10 00:00 → Oct 11 13:12:00) → exactly 95.0:
  // not under 95.0, under 99.0 → 25 % → −25.00
  hostAlert('2026-10-10T00:00:00Z', 'srv-95', 'DOWN', 'HARD'),
  hostAlert('2026-10-11T13:12:00Z', 'srv-95', 'UP', 'HARD'),
  // srv-out: HARD DOWN Sep 30 20:00 → HARD UP Oct 1 05:00: 9 h in all, 5 h = 18 000 s inside
  // October → 99.33 % → 10 % → −10.00 (counting all 9 h, 32 400 s, would give 98.79 % → 25 %)
  hostAlert('2026-09-30T20:00:00Z', 'srv-out', 'DOWN', 'HARD'),
  hostAlert('2026-10-01T05:00:00Z', 'srv-out', 'UP', 'HARD'),
  // srv-rep: HARD DOWN, a repeated HARD DOWN, then HARD UP: down from the first (Oct 5 00:00 →
  // Oct 6 00:00 = 86 400 s → 96.77 % → 25 %); from the second (Oct 5 20:00) it would be 4 h → 10 %.
  hostAlert('2026-10-05T00:00:00Z', 'srv-rep', 'DOWN', 'HARD'),
  hostAlert('2026-10-05T20:00:00Z', 'srv-rep', 'DOWN', 'HARD'),
  hostAlert('2026-10-06T00:00:00Z', 'srv-rep', 'UP', 'HARD'),
  // srv-pre: HARD DOWN Oct 10 → HARD UP Oct 17 01:00; only the hour inside the subscription
  // counts: 3600 ÷ 1 296 000 → 99.72 % → 10 % × 48.39 = 4.839 → −4.84 (all 7 days → 100 %)
  hostAlert('2026-10-10T00:00:00Z', 'srv-pre', 'DOWN', 'HARD'),
  hostAlert('2026-10-17T01:00:00Z', 'srv-pre', 'UP', 'HARD'),
  // srv-se: Statusengine statechange JSON (§7): host HARD DOWN (state 1, state_type 1) for 1 h →
  // −10.00; a HARD service CRITICAL and a SOFT host DOWN (state_type 0) do not count.
  se('2026-10-08T00:00:00Z', 'srv-se', '', 1, 0),
  se('2026-10-09T00:00:00Z', 'srv-se', 'HTTP', 2, 1),
  se('2026-10-10T00:00:00Z', 'srv-se', '', 1, 1),
  se('2026-10-10T01:00:00Z', 'srv-se', '', 0, 1),
];
function se(iso: string, host: string, service: string, state: number, stateType: number): string {
  return JSON.stringify({
    timestamp: Date.parse(iso) / 1000,
    statechange: {
      host_name: host, service_description: service, statechange_type: 1, state, state_type: stateType,
      current_attempt: 3, max_attempts: 3, output: 'x', long_output: '',
    },
  });
}

let out: BillJson;
before(() => {
  out = billOk({ catalog: CAT, events: [EVENTS], period: '2026-10', nagios: LOG });
});

test('free units apply per subscription: a server rented twice in a month gets them twice', () => {
  const e = invoice(out, 'e');
  assert.equal(lines(e, 'base_fee', { server_id: 'srv-twice' }).length, 2);
  assertDec(amountSum(e, 'usage', { server_id: 'srv-twice', meter: 'req' }), '0');
  // and the sample between the two subscriptions is unattributed
  const u = (out.unattributed ?? []).filter((x) => x.server_id === 'srv-twice' && x.meter === 'req');
  assert.equal(u.length, 1);
  assertDec(u[0]?.quantity, '50');
});

test('gauge avg is the mean of the samples across days (40), factor applies to gauges (max 50)', () => {
  const e = invoice(out, 'e');
  assertDec(line(e, 'usage', { server_id: 'srv-half', meter: 'mean' }).quantity, '40');
  assertDec(line(e, 'usage', { server_id: 'srv-half', meter: 'halfmax' }).quantity, '50');
});

test('a counter increase whose newer sample falls between subscriptions is unattributed; the baseline carries', () => {
  const e = invoice(out, 'e');
  // first subscription: only the baseline (0); second: +50
  assertDec(amountSum(e, 'usage', { server_id: 'srv-twice', meter: 'ctr' }), '50');
  const u = (out.unattributed ?? []).filter((x) => x.server_id === 'srv-twice' && x.meter === 'ctr');
  assert.equal(u.length, 1);
  assertDec(u[0]?.quantity, '200');
});

test('a plan change mid-month: each subscription rates its own samples at its own plan', () => {
  const e = invoice(out, 'e');
  assert.equal(line(e, 'usage', { server_id: 'srv-change', plan: 'pu', meter: 'req' }).amount, '20.00');
  assert.equal(line(e, 'usage', { server_id: 'srv-change', plan: 'other', meter: 'req' }).amount, '30.00');
  assertDec(line(e, 'usage', { server_id: 'srv-change', plan: 'pu', meter: 'peak' }).quantity, '90');
  // base: pu Oct 1–16 = 15/31 × 31.00 = 15.00; other Oct 16 → Nov 1 = 16/31 × 62.00 = 32.00
  assert.equal(line(e, 'base_fee', { server_id: 'srv-change', plan: 'pu' }).amount, '15.00');
  assert.equal(line(e, 'base_fee', { server_id: 'srv-change', plan: 'other' }).amount, '32.00');
});

test('a sample’s interval_s is never split at a subscription end (integral 6 in the first subscription)', () => {
  assertDec(line(invoice(out, 'e'), 'usage', { server_id: 'srv-change', plan: 'pu', meter: 'ipi' }).quantity, '6');
});

test('time_average divides by the seconds of the billing period, also for a part-month subscription', () => {
  const l = line(invoice(out, 'e'), 'usage', { server_id: 'srv-half', meter: 'ssd' });
  assertDec(l.quantity, '100');
  assert.equal(l.amount, '100.00');
  assertInvariants(invoice(out, 'e'), 2);
});

test('SLA: availability exactly 99.0 is not under 99.0 → 10 % credit', () => {
  assert.equal(line(invoice(out, 's99'), 'sla_credit', { server_id: 'srv-99' }).amount, '-10.00');
});

test('SLA: availability exactly 95.0 is not under 95.0 → 25 % credit', () => {
  assert.equal(line(invoice(out, 's95'), 'sla_credit', { server_id: 'srv-95' }).amount, '-25.00');
});

test('SLA: only the down time inside the period counts (5 of 9 hours → 10 %)', () => {
  assert.equal(line(invoice(out, 'sout'), 'sla_credit', { server_id: 'srv-out' }).amount, '-10.00');
});

test('SLA: a repeated HARD DOWN keeps the first start (1 day down → 25 %)', () => {
  assert.equal(line(invoice(out, 'srep'), 'sla_credit', { server_id: 'srv-rep' }).amount, '-25.00');
});

test('SLA: down time before the subscription starts does not count (1 h inside → 10 %)', () => {
  const inv = invoice(out, 'spre');
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-pre' }).amount, '48.39');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-pre' }).amount, '-4.84');
});

test('SLA: Statusengine statechange JSON lines give host HARD DOWN → UP intervals', () => {
  const inv = invoice(out, 'sse');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-se' }).amount, '-10.00');
  assert.equal(inv.total, '90.00');
});

test('counter samples apply in arrival order across --events files (older one ignored: +100)', () => {
  // file 1: Oct 10 500 (first ever → baseline); file 2: Oct 5 100 (not newer → nothing),
  // Oct 15 600 → +100. (Sorting by ts first would give 400 + 100 = 500.)
  const cat = catalog({
    meters: METERS,
    plans: { c: { base_fee: { amount: '1.00', per: 'month' }, charges: [{ meter: 'ctr', model: 'per_unit', unit_price: '1' }] } },
    customers: { k: {} },
    subscriptions: [{ server_id: 'srv-k', customer: 'k', plan: 'c', from: '2026-09-01T00:00:00Z' }],
  });
  const r = billOk({
    catalog: cat,
    events: [
      [sample('srv-k', '2026-10-10T00:00:00Z', { nb: 500 })],
      [sample('srv-k', '2026-10-05T00:00:00Z', { nb: 100 }), sample('srv-k', '2026-10-15T00:00:00Z', { nb: 600 })],
    ],
    period: '2026-10',
  });
  assertDec(line(invoice(r, 'k'), 'usage', { server_id: 'srv-k' }).quantity, '100');
});

test('America/New_York November 2026 (DST ends Nov 1): 721 h; Asia/Kolkata half-hour offset', () => {
  const ny = catalog({
    timezone: 'America/New_York',
    meters: METERS,
    plans: { m: { base_fee: { amount: '721.00', per: 'month' } } },
    customers: { n: {} },
    // Nov 16 00:00 EST = 05:00Z → Dec 1 00:00 EST = 05:00Z: 15 days = 360 h → 721 × 360/721 = 360.00
    subscriptions: [{ server_id: 'srv-ny', customer: 'n', plan: 'm', from: '2026-11-16T00:00:00-05:00' }],
  });
  const inv = invoice(billOk({ catalog: ny, events: [[]], period: '2026-11' }), 'n');
  assert.deepEqual(inv.period, { start: '2026-11-01T04:00:00Z', end: '2026-12-01T05:00:00Z' });
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-ny' }).amount, '360.00');
  const kol = catalog({
    timezone: 'Asia/Kolkata',
    meters: METERS,
    plans: { m: { base_fee: { amount: '31.00', per: 'month' } } },
    customers: { k: {} },
    subscriptions: [{ server_id: 'srv-k', customer: 'k', plan: 'm', from: '2026-09-01T00:00:00Z' }],
  });
  const ki = invoice(billOk({ catalog: kol, events: [[]], period: '2026-10' }), 'k');
  assert.deepEqual(ki.period, { start: '2026-09-30T18:30:00Z', end: '2026-10-31T18:30:00Z' });
  assert.equal(ki.total, '31.00');
});
