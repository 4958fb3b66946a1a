// SPEC §6.4 SLA credits from nagios.log host states (§7), through `meterline bill --nagios`.
// Nagios host names equal the server ids (§7 default mapping).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertInvariants, billOk, catalog, epochS, hostAlert, invoice, line, lines, type Invoice } from './harness.js';

const CREDITS = [
  { below: '99.9', credit_pct: '10' },
  { below: '99.0', credit_pct: '25' },
  { below: '95.0', credit_pct: '100' },
];
const CAT = catalog({
  meters: { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } },
  plans: {
    s: { base_fee: { amount: '100.00', per: 'month' }, sla: { credits: CREDITS } },
    tiny: { base_fee: { amount: '0.25', per: 'month' }, sla: { credits: [{ below: '99.9', credit_pct: '50' }] } },
  },
  customers: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 't'].map((c) => [c, {}])),
  subscriptions: [
    ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((c) => ({
      server_id: `srv-${c}`, customer: c, plan: 's', from: '2026-09-01T00:00:00Z',
    })),
    // Oct 17 → Nov 1 = 15 days = 1 296 000 s
    { server_id: 'srv-h', customer: 'h', plan: 's', from: '2026-10-17T00:00:00Z' },
    // November: Nov 16 → Dec 1 = 15 of 30 days
    { server_id: 'srv-t', customer: 't', plan: 'tiny', from: '2026-11-16T00:00:00Z' },
  ],
});

// October 2026 = 2 678 400 s.
const LOG = [
  // srv-a: a SOFT DOWN 30 min before the HARD DOWN does not count; HARD DOWN 00:30 → HARD UP 01:30
  //   = 3600 s → 100 × (1 − 3600/2678400) = 99.8656 % → below 99.9 only → 10 % × 100.00 = −10.00
  hostAlert('2026-10-05T00:00:00Z', 'srv-a', 'DOWN', 'SOFT'),
  hostAlert('2026-10-05T00:30:00Z', 'srv-a', 'DOWN', 'HARD'),
  hostAlert('2026-10-05T01:30:00Z', 'srv-a', 'UP', 'HARD'),
  // srv-b: SOFT DOWN / SOFT UP for 10 h, and a SOFT DOWN never followed by anything → 100 %
  hostAlert('2026-10-10T00:00:00Z', 'srv-b', 'DOWN', 'SOFT'),
  hostAlert('2026-10-10T10:00:00Z', 'srv-b', 'UP', 'SOFT'),
  hostAlert('2026-10-30T00:00:00Z', 'srv-b', 'DOWN', 'SOFT'),
  // srv-c: HARD DOWN Oct 31 00:00, no UP until the period end → 86 400 s → 96.774 %
  //   → lowest threshold it is under is 99.0 → 25 % → −25.00
  hostAlert('2026-10-31T00:00:00Z', 'srv-c', 'DOWN', 'HARD'),
  // srv-d: 2 days HARD DOWN = 172 800 s → 93.548 % → under 95.0 → 100 % → −100.00
  hostAlert('2026-10-20T00:00:00Z', 'srv-d', 'DOWN', 'HARD'),
  hostAlert('2026-10-22T00:00:00Z', 'srv-d', 'UP', 'HARD'),
  // srv-e: a HARD service alert is not host down time → no credit
  `[${epochS('2026-10-12T00:00:00Z')}] SERVICE ALERT: srv-e;HTTP;CRITICAL;HARD;3;Connection refused`,
  `[${epochS('2026-10-12T10:00:00Z')}] SERVICE ALERT: srv-e;HTTP;OK;HARD;1;HTTP OK`,
  // srv-f: CURRENT HOST STATE (log rotation) with HARD DOWN opens an interval, HARD UP 1 h later
  //   closes it → 3600 s → −10.00
  `[${epochS('2026-10-15T00:00:00Z')}] CURRENT HOST STATE: srv-f;DOWN;HARD;3;PING CRITICAL`,
  hostAlert('2026-10-15T01:00:00Z', 'srv-f', 'UP', 'HARD'),
  // srv-g: HARD DOWN closed by a CURRENT HOST STATE UP HARD 1 h later → −10.00; a CURRENT HOST
  //   STATE with a SOFT DOWN afterwards opens nothing.
  hostAlert('2026-10-18T00:00:00Z', 'srv-g', 'DOWN', 'HARD'),
  `[${epochS('2026-10-18T01:00:00Z')}] CURRENT HOST STATE: srv-g;UP;HARD;1;PING OK`,
  `[${epochS('2026-10-19T00:00:00Z')}] CURRENT HOST STATE: srv-g;DOWN;SOFT;1;PING CRITICAL`,
  // srv-h: 1800 s down within its 1 296 000 subscription seconds → 99.861 % < 99.9 → 10 %.
  //   (Over the whole month it would be 99.933 % → no credit.)
  hostAlert('2026-10-20T00:00:00Z', 'srv-h', 'DOWN', 'HARD'),
  hostAlert('2026-10-20T00:30:00Z', 'srv-h', 'UP', 'HARD'),
  // srv-t (November): 1800 s of 1 296 000 → 99.861 % → 50 %
  hostAlert('2026-11-20T00:00:00Z', 'srv-t', 'DOWN', 'HARD'),
  hostAlert('2026-11-20T00:30:00Z', 'srv-t', 'UP', 'HARD'),
];

let oct: ReturnType<typeof billOk>;
before(() => {
  oct = billOk({ catalog: CAT, events: [[]], period: '2026-10', nagios: LOG });
});
const sla = (c: string): Invoice => invoice(oct, c);

test('HARD DOWN → HARD UP of 1 h (a SOFT DOWN before it ignored): 99.87 % → 10 % credit', () => {
  const inv = sla('a');
  const l = line(inv, 'sla_credit', { server_id: 'srv-a' });
  assert.equal(l.amount, '-10.00');
  assert.equal(l.plan, 's');
  assert.equal(inv.total, '90.00');
  assertInvariants(inv, 2);
});

test('SOFT states alone give no credit', () => {
  const inv = sla('b');
  assert.equal(lines(inv, 'sla_credit').filter((l) => l.amount !== '0.00').length, 0);
  assert.equal(inv.total, '100.00');
});

test('a HARD DOWN with no UP runs to the period end: 1 day down → 25 % credit (lowest threshold under)', () => {
  const inv = sla('c');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-c' }).amount, '-25.00');
  assert.equal(inv.total, '75.00');
});

test('2 days down → availability under 95 → 100 % credit', () => {
  const inv = sla('d');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-d' }).amount, '-100.00');
  assert.equal(inv.total, '0.00');
});

test('service alerts do not count as host down time', () => {
  const inv = sla('e');
  assert.equal(lines(inv, 'sla_credit').filter((l) => l.amount !== '0.00').length, 0);
  assert.equal(inv.total, '100.00');
});

test('CURRENT HOST STATE with HARD DOWN opens a down interval like an alert', () => {
  assert.equal(line(sla('f'), 'sla_credit', { server_id: 'srv-f' }).amount, '-10.00');
});

test('CURRENT HOST STATE with HARD UP closes a down interval; with SOFT DOWN opens none', () => {
  const inv = sla('g');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-g' }).amount, '-10.00');
  assert.equal(inv.total, '90.00');
});

test('availability is over the subscription’s seconds in the period, not the whole month', () => {
  const inv = sla('h');
  // base 100.00 × 15/31 = 48.387… → 48.39; credit 10 % × 48.39 = 4.839 → −4.84
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-h' }).amount, '48.39');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-h' }).amount, '-4.84');
  assert.equal(inv.total, '43.55');
  assertInvariants(inv, 2);
});

test('the credit is a share of the rounded base fee line, rounded half-up in magnitude', () => {
  const nov = billOk({ catalog: CAT, events: [[]], period: '2026-11', nagios: LOG });
  const inv = invoice(nov, 't');
  // base 0.25 × 15/30 = 0.125 → 0.13 (half-up); credit 50 % × 0.13 = 0.065 → −0.07.
  // (Of the exact 0.125 it would be 0.0625 → −0.06; half-even or toward +∞ would give −0.06.)
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-t' }).amount, '0.13');
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-t' }).amount, '-0.07');
  assert.equal(inv.subtotal, '0.06');
  assert.equal(inv.total, '0.06');
});

test('nagios host names map to servers through the catalogue’s hosts: (decisions.md)', () => {
  const cat = {
    ...catalog({
      meters: { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } },
      plans: { s: { base_fee: { amount: '100.00', per: 'month' }, sla: { credits: CREDITS } } },
      customers: { m: {} },
      subscriptions: [{ server_id: 'srv-m', customer: 'm', plan: 's', from: '2026-09-01T00:00:00Z' }],
    }),
    hosts: { 'web01.example.net': 'srv-m' },
  };
  // 1 h HARD DOWN of web01.example.net = srv-m → 10 % → −10.00
  const out = billOk({
    catalog: cat, events: [[]], period: '2026-10',
    nagios: [
      hostAlert('2026-10-05T00:00:00Z', 'web01.example.net', 'DOWN', 'HARD'),
      hostAlert('2026-10-05T01:00:00Z', 'web01.example.net', 'UP', 'HARD'),
    ],
  });
  assert.equal(line(invoice(out, 'm'), 'sla_credit', { server_id: 'srv-m' }).amount, '-10.00');
});
