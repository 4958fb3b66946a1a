// SPEC §2 sample forms and §6.1 attribution, through `meterline bill` (UTC, October 2026).
// One delta meter `req` (metric http_requests) at per_unit "1": a usage amount is its quantity.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountSum, assertDec, assertInvariants, bill, billOk, catalog, invoice, line, sample, unattributed,
  type BillJson,
} from './harness.js';

const METERS = { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } };
const PLANS = {
  p: { base_fee: { amount: '31.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '1' }] },
};
const OCT1 = Date.parse('2026-10-01T00:00:00Z');
const NOV1 = Date.parse('2026-11-01T00:00:00Z');

const CAT = catalog({
  meters: METERS,
  plans: PLANS,
  customers: { c: {}, att: {} },
  subscriptions: [
    { server_id: 'srv-off', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' },
    { server_id: 'srv-ms', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' },
    { server_id: 'srv-msprec', customer: 'c', plan: 'p', from: '2026-10-10T00:00:00.500Z' },
    { server_id: 'srv-dup', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' },
    // attribution: Oct 10 00:00 → Oct 20 00:00 (10 of 31 days × 31.00 = 10.00)
    { server_id: 'srv-1', customer: 'att', plan: 'p', from: '2026-10-10T00:00:00Z', to: '2026-10-20T00:00:00Z' },
  ],
});

const dup1 = sample('srv-dup', '2026-10-03T00:00:00Z', { http_requests: 5 });
const dup2 = sample('srv-dup', '2026-10-04T00:00:00Z', { http_requests: 11 });
const FILE1 = [
  // ts with UTC offsets: 2026-10-01T01:30+02:00 = Sep 30 23:30Z (September); 2026-10-31T22:30-02:00
  // = Nov 1 00:30Z (November); 2026-10-01T00:30-01:00 = Oct 1 01:30Z (October) → October = 7.
  sample('srv-off', '2026-10-01T01:30:00+02:00', { http_requests: 100 }),
  sample('srv-off', '2026-10-31T22:30:00-02:00', { http_requests: 1000 }),
  sample('srv-off', '2026-10-01T00:30:00-01:00', { http_requests: 7 }),
  // epoch milliseconds: Oct 1 − 1 ms (Sep), Oct 1 (in), Nov 1 − 1 ms (in), Nov 1 (out) → 3 + 4 = 7.
  sample('srv-ms', OCT1 - 1, { http_requests: 100 }),
  sample('srv-ms', OCT1, { http_requests: 3 }),
  sample('srv-ms', NOV1 - 1, { http_requests: 4 }),
  sample('srv-ms', NOV1, { http_requests: 1000 }),
  // millisecond precision kept: the subscription starts at .500; .499 is outside it (→
  // unattributed 100), .500 inside (9).
  sample('srv-msprec', '2026-10-10T00:00:00.499Z', { http_requests: 100 }),
  sample('srv-msprec', '2026-10-10T00:00:00.500Z', { http_requests: 9 }),
  // duplicates: dup1 three times (twice here, once in the second file), dup2 twice → 5 + 11 = 16.
  dup1,
  dup1,
  dup2,
  dup2,
  // attribution for srv-1 [Oct 10, Oct 20):
  //   Oct 9 23:59:59.999 → 3 unattributed; Oct 10 00:00:00.000 (= from) → 10 billed;
  //   Oct 19 23:59:59.999 → 20 billed; Oct 20 00:00:00.000 (= to) → 5 unattributed.
  //   billed 30; unattributed srv-1 req = 3 + 5 = 8.
  sample('srv-1', '2026-10-09T23:59:59.999Z', { http_requests: 3 }),
  sample('srv-1', '2026-10-10T00:00:00.000Z', { http_requests: 10 }),
  sample('srv-1', '2026-10-19T23:59:59.999Z', { http_requests: 20 }),
  sample('srv-1', '2026-10-20T00:00:00.000Z', { http_requests: 5 }),
  // no subscription at all: 42 in October (unattributed), 1000 in November (not this period's).
  sample('srv-x', '2026-10-07T00:00:00Z', { http_requests: 42 }),
  sample('srv-x', '2026-11-05T00:00:00Z', { http_requests: 1000 }),
];
const FILE2 = [dup1];

let out: BillJson;
before(() => {
  out = billOk({ catalog: CAT, events: [FILE1, FILE2], period: '2026-10' });
});

test('ts with a UTC offset is placed by its instant (only the Oct 1 01:30Z sample is October’s: 7)', () => {
  assertDec(line(invoice(out, 'c'), 'usage', { server_id: 'srv-off' }).quantity, '7');
});

test('ts as epoch milliseconds: [Oct 1, Nov 1) holds the 3 and the 4 → 7', () => {
  assertDec(line(invoice(out, 'c'), 'usage', { server_id: 'srv-ms' }).quantity, '7');
});

test('millisecond precision is kept: .499 before a .500 subscription start is not billed', () => {
  assertDec(line(invoice(out, 'c'), 'usage', { server_id: 'srv-msprec' }).quantity, '9');
  assertDec(unattributed(out, 'srv-msprec', 'req')?.toFixed(), '100');
});

test('a re-sent sample id counts once, within a file and across --events files (16)', () => {
  assertDec(line(invoice(out, 'c'), 'usage', { server_id: 'srv-dup' }).quantity, '16');
});

test('attribution: a sample at exactly `from` is included, at exactly `to` excluded (30)', () => {
  const inv = invoice(out, 'att');
  const l = line(inv, 'usage', { server_id: 'srv-1' });
  assertDec(l.quantity, '30');
  assert.equal(l.amount, '30.00');
  // base 31.00 × 10/31 = 10.00; total 40.00
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-1' }).amount, '10.00');
  assert.equal(inv.total, '40.00');
  assertInvariants(inv, 2);
});

test('unattributed: usage outside every subscription is listed (server_id, meter, quantity), never billed', () => {
  assert.ok(Array.isArray(out.unattributed), 'bill output has an "unattributed" array');
  assertDec(unattributed(out, 'srv-1', 'req')?.toFixed(), '8', 'srv-1 unattributed');
  assertDec(unattributed(out, 'srv-x', 'req')?.toFixed(), '42', 'srv-x unattributed (November excluded)');
  for (const u of out.unattributed ?? []) {
    for (const k of ['server_id', 'meter', 'quantity'] as const) assert.equal(typeof u[k], 'string', `unattributed.${k}`);
  }
  // srv-x appears on no invoice.
  for (const inv of out.invoices) assert.equal(inv.lines.filter((l) => l.server_id === 'srv-x').length, 0);
  // c's usage is exactly 7 + 7 + 9 + 16 = 39 (nothing of srv-x or of the unattributed parts).
  const c = invoice(out, 'c');
  assertDec(amountSum(c, 'usage'), '39');
  assertInvariants(c, 2);
});

test('CloudEvents 1.0 structured events in the NDJSON file are samples (subject = server, time, data)', () => {
  // SPEC §2 lists CloudEvents as an HTTP form; the README says bill reads them too.
  // 5 + 6 (ce-1 re-sent once → counted once) = 11.
  const ce = (id: string, time: string, v: number) => ({
    specversion: '1.0', id, source: '/agents/a1', type: 'com.example.usage.sample', subject: 'srv-ce', time,
    datacontenttype: 'application/json', data: { metrics: { http_requests: v }, interval_s: 60, labels: { dc: 'fra1' } },
  });
  const r = bill({
    catalog: catalog({
      meters: METERS, plans: PLANS, customers: { c: {} },
      subscriptions: [{ server_id: 'srv-ce', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
    }),
    events: [[ce('ce-1', '2026-10-05T00:00:00Z', 5), ce('ce-2', '2026-10-06T00:00:00Z', 6), ce('ce-1', '2026-10-05T00:00:00Z', 5)]],
    period: '2026-10',
  });
  assert.equal(r.code, 0, r.stderr);
  assertDec(line(invoice(r.json as BillJson, 'c'), 'usage', { server_id: 'srv-ce' }).quantity, '11');
});

test('other RFC 3339 forms: lower-case t/z, +00:00, more than 3 fraction digits, a +05:30 offset', () => {
  // all on Oct 2 (UTC) → 1 + 2 + 4 + 8 = 15; the +05:30 one is Oct 1 18:30:00.5Z → also October.
  const r = billOk({
    catalog: catalog({
      meters: METERS, plans: PLANS, customers: { c: {} },
      subscriptions: [{ server_id: 'srv-r', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
    }),
    events: [[
      sample('srv-r', '2026-10-02t00:00:00z', { http_requests: 1 }),
      sample('srv-r', '2026-10-02T00:00:00+00:00', { http_requests: 2 }),
      sample('srv-r', '2026-10-02T00:00:00.123456789Z', { http_requests: 4 }),
      sample('srv-r', '2026-10-02T00:00:00.5+05:30', { http_requests: 8 }),
    ]],
    period: '2026-10',
  });
  assertDec(line(invoice(r, 'c'), 'usage', { server_id: 'srv-r' }).quantity, '15');
});
