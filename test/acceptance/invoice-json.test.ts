// SPEC §9 invoice JSON shape, and SPEC §5's own example catalogue (verbatim YAML) rated end to
// end with samples and a nagios.log written here, the invoice worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertDec, assertInvariants, billOk, catalog, hostAlert, invoice, line, lines, sample,
} from './harness.js';

test('§9 shape: sorted by customer, draft, period bounds, string fields, invoice without usage', () => {
  const cat = catalog({
    meters: { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } },
    plans: {
      p: { base_fee: { amount: '129.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '1' }] },
    },
    customers: { zeta: {}, alpha: {}, mike: {} },
    subscriptions: [
      { server_id: 'srv-z', customer: 'zeta', plan: 'p', from: '2026-09-01T00:00:00Z' },
      { server_id: 'srv-a', customer: 'alpha', plan: 'p', from: '2026-09-01T00:00:00Z' },
      { server_id: 'srv-m', customer: 'mike', plan: 'p', from: '2026-09-01T00:00:00Z' },
    ],
  });
  const out = billOk({
    catalog: cat,
    events: [[
      sample('srv-z', '2026-10-02T00:00:00Z', { http_requests: 7 }),
      sample('srv-m', '2026-10-02T00:00:00Z', { http_requests: 5 }),
      sample('srv-q', '2026-10-02T00:00:00Z', { http_requests: 3 }),
    ]],
    period: '2026-10',
  });
  assert.deepEqual(out.invoices.map((i) => i.customer), ['alpha', 'mike', 'zeta']);
  for (const inv of out.invoices) {
    assert.equal(inv.status, 'draft');
    assert.equal(inv.currency, 'USD');
    assert.deepEqual(inv.period, { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' });
    assert.equal(typeof inv.subtotal, 'string');
    assert.equal(typeof inv.total, 'string');
    for (const l of inv.lines) {
      for (const k of ['type', 'server_id', 'plan', 'meter', 'quantity', 'unit', 'unit_price', 'amount', 'period_of_usage']) {
        if (k in l) assert.equal(typeof l[k], 'string', `${inv.customer} line field ${k} = ${JSON.stringify(l[k])}`);
      }
    }
    assertInvariants(inv, 2);
  }
  // alpha: a subscription, no usage → an invoice with its base fee alone
  const a = invoice(out, 'alpha');
  assert.equal(lines(a, 'usage').length, 0);
  const bf = line(a, 'base_fee', { server_id: 'srv-a' });
  assert.equal(bf.plan, 'p');
  assertDec(bf.quantity, '1');
  assert.equal(bf.unit, 'month');
  assertDec(bf.unit_price, '129.00');
  assert.equal(bf.amount, '129.00');
  assert.equal(a.total, '129.00');
  // usage line fields
  const u = line(invoice(out, 'zeta'), 'usage', { server_id: 'srv-z' });
  assert.equal(u.plan, 'p');
  assert.equal(u.meter, 'req');
  assertDec(u.quantity, '7');
  assert.equal(u.unit, 'request');
  assert.equal(u.amount, '7.00');
  assert.equal(invoice(out, 'zeta').total, '136.00');
  // unattributed srv-q, quantity a string
  assert.deepEqual((out.unattributed ?? []).map((x) => [x.server_id, x.meter]), [['srv-q', 'req']]);
  assertDec(out.unattributed?.[0]?.quantity, '3');
});

// SPEC §5's catalogue, copied verbatim.
const SPEC_CATALOG = `currency: USD            # ISO 4217; minor units follow the currency (JPY 0, USD 2, BHD 3)
timezone: UTC            # IANA zone of billing-period boundaries (calendar months)
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak_pct:     { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
  ssd_extra_gb:     { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:         { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  running_hours:    { metric: power_on, kind: gauge, aggregation: integral, per_seconds: 3600, unit: hour }
  requests:         { metric: http_requests, kind: delta, unit: request }
plans:
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: ssd_extra_gb, model: per_unit, unit_price: "0.10" }
      - { meter: ip_hours, model: per_unit, unit_price: "0.004" }
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" }, { below: "95.0", credit_pct: "100" } ]
customers:
  acme:
    currency: USD                            # optional; must equal the catalogue's currency
    contract:                                # custom contract pricing (all optional)
      overrides: { d8-monthly: { base_fee: { amount: "129.00", per: month } } }
      discount_pct: "10"
      minimum_commit: "500.00"
subscriptions:
  - { server_id: srv-0001, customer: acme, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }
  - { server_id: srv-0002, customer: acme, plan: c4-hourly,  from: "2026-10-10T12:30:00Z", to: "2026-10-12T03:00:00Z" }
`;

test('SPEC §5 example catalogue, October 2026, worked by hand', () => {
  const events = [
    // bandwidth: baseline 400 000 000 000 B (Sep 30, before the subscription; a baseline all the
    // same), then 12 400 500 000 000 B → 12 000 500 000 000 B × 1e-9 = 12000.5 GB;
    // b = 11000.5: 10000 × 0.010 = 100.00 + 1000.5 × 0.005 = 5.0025 → 105.0025 → 105.00
    sample('srv-0001', '2026-09-30T23:59:00Z', { net_tx_bytes: 400000000000 }),
    sample('srv-0001', '2026-10-15T12:00:00Z', { net_tx_bytes: 12400500000000, cpu_util_pct: 12.5 }),
    // ssd: 200 × 1 339 200 ÷ 2 678 400 = 100 GB-month × 0.10 = 10.00
    sample('srv-0001', '2026-10-16T00:00:00Z', { disk_extra_gb: 200 }, { interval_s: 1339200 }),
    // ip_hours: 3 × 2 × 3600 ÷ 3600 = 6 × 0.004 = 0.024 → 0.02
    sample('srv-0001', '2026-10-02T00:00:00Z', { public_ips: 2 }, { interval_s: 3600 }),
    sample('srv-0001', '2026-10-03T00:00:00Z', { public_ips: 2 }, { interval_s: 3600 }),
    sample('srv-0001', '2026-10-04T00:00:00Z', { public_ips: 2 }, { interval_s: 3600 }),
  ];
  // srv-0001 1 h HARD DOWN → 99.8656 % → 10 % × 129.00 = −12.90
  const nagios = [
    hostAlert('2026-10-20T10:00:00Z', 'srv-0001', 'DOWN', 'HARD'),
    hostAlert('2026-10-20T11:00:00Z', 'srv-0001', 'UP', 'HARD'),
  ];
  const out = billOk({ catalog: SPEC_CATALOG, events: [events], period: '2026-10', nagios });
  assert.deepEqual(out.invoices.map((i) => i.customer), ['acme']);
  const inv = invoice(out, 'acme');
  const bf1 = line(inv, 'base_fee', { server_id: 'srv-0001' });
  assert.equal(bf1.plan, 'd8-monthly');
  assertDec(bf1.unit_price, '129.00');
  assert.equal(bf1.amount, '129.00');
  const bw = line(inv, 'usage', { server_id: 'srv-0001', meter: 'bandwidth_out_gb' });
  assertDec(bw.quantity, '12000.5');
  assert.equal(bw.unit, 'GB');
  assert.equal(bw.amount, '105.00');
  assert.equal(line(inv, 'usage', { server_id: 'srv-0001', meter: 'ssd_extra_gb' }).amount, '10.00');
  assertDec(line(inv, 'usage', { server_id: 'srv-0001', meter: 'ip_hours' }).quantity, '6');
  assert.equal(line(inv, 'usage', { server_id: 'srv-0001', meter: 'ip_hours' }).amount, '0.02');
  assert.equal(lines(inv, 'usage', { meter: 'cpu_peak_pct' }).length, 0, 'the plan does not charge cpu');
  // cpu of srv-0001 is inside a subscription (just not charged): not "unattributed"
  assert.equal((out.unattributed ?? []).filter((u) => u.server_id === 'srv-0001' && u.meter === 'cpu_peak_pct').length, 0);
  assert.equal(line(inv, 'sla_credit', { server_id: 'srv-0001' }).amount, '-12.90');
  // srv-0002: Oct 10 12:30 → Oct 12 03:00 = 38.5 h → 39 × 0.12 = 4.68
  assert.equal(line(inv, 'base_fee', { server_id: 'srv-0002' }).amount, '4.68');
  // subtotal 129.00 + 105.00 + 10.00 + 0.02 − 12.90 + 4.68 = 235.80; discount −23.58;
  // true-up 500.00 − 212.22 = 287.78; total 500.00
  assert.equal(inv.subtotal, '235.80');
  assert.equal(line(inv, 'discount').amount, '-23.58');
  assert.equal(line(inv, 'minimum_commit').amount, '287.78');
  assert.equal(inv.total, '500.00');
  assertInvariants(inv, 2);
});

test('same samples in reverse file order (days late) give the identical invoice JSON; runs are deterministic', () => {
  // §4: a late sample is never dropped; event-time aggregation of delta/gauge does not depend on
  // arrival order. Expected: req 1+2+…+10 = 55 → 55.00; max 10 → 10.00; base 10.00 → 75.00.
  const cat = catalog({
    meters: {
      req: { metric: 'http_requests', kind: 'delta', unit: 'request' },
      peak: { metric: 'cpu', kind: 'gauge', aggregation: 'max', unit: '%' },
    },
    plans: {
      p: {
        base_fee: { amount: '10.00', per: 'month' },
        charges: [
          { meter: 'req', model: 'per_unit', unit_price: '1' },
          { meter: 'peak', model: 'per_unit', unit_price: '1' },
        ],
      },
    },
    customers: { c: {} },
    subscriptions: [{ server_id: 'srv-1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
  });
  const events = Array.from({ length: 10 }, (_, i) =>
    sample('srv-1', `2026-10-${String(3 * i + 1).padStart(2, '0')}T12:00:00Z`, { http_requests: i + 1, cpu: i + 1 }));
  const forward = billOk({ catalog: cat, events: [events], period: '2026-10' });
  const backward = billOk({ catalog: cat, events: [[...events].reverse()], period: '2026-10' });
  const again = billOk({ catalog: cat, events: [events], period: '2026-10' });
  assert.deepEqual(backward, forward);
  assert.deepEqual(again, forward);
  const inv = invoice(forward, 'c');
  assert.equal(line(inv, 'usage', { meter: 'req' }).amount, '55.00');
  assert.equal(line(inv, 'usage', { meter: 'peak' }).amount, '10.00');
  assert.equal(inv.total, '75.00');
});
