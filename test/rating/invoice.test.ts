// Rating cases worked out by hand (SPEC §6). Each case states its arithmetic in a comment; the
// expectations are those hand results, never the code's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateInvoice, type LateUsage } from '../../rating/invoice.js';
import { parsePeriod } from '../../rating/period.js';
import { dec } from '../../lib/decimal.js';
import type { DownInterval } from '../../nagios/intervals.js';
import { METERS, amounts, catalog, json, usage } from './helpers.js';

const ms = (iso: string): number => Date.parse(iso);
const down = (serverId: string, from: string, to: string | null): DownInterval => ({
  serverId, host: serverId, startMs: ms(from), endMs: to === null ? null : ms(to),
});

interface Case {
  name: string;
  yaml: string;
  period: string;
  customer: string;
  usage?: Record<string, Record<string, string>>;
  down?: DownInterval[];
  adjustments?: LateUsage[];
  lines: string[];
  subtotal: string;
  total: string;
}

const D8 = `
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: ssd_extra_gb, model: per_unit, unit_price: "0.10" }
      - { meter: ip_hours, model: per_unit, unit_price: "0.004" }
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" }, { below: "95.0", credit_pct: "100" } ]`;
const C4 = `
  c4-hourly:
    base_fee: { amount: "0.12", per: hour }`;

const usd = (plans: string, rest: string) => `currency: USD\ntimezone: UTC\n${METERS}\nplans:${plans}\n${rest}`;

const cases: Case[] = [
  {
    // SPEC §9 recomputed. October 2026 in UTC: 31 days = 2 678 400 s.
    // base_fee: contract override 129.00 × (2678400/2678400) = 129.00.
    // bandwidth: q = 1234.567, b = 234.567 (free 1000), all in tier 1: 234.567 × 0.010 = 2.34567 → 2.35.
    // ssd and ip_hours have no usage → no line.
    // SLA: down 1 h → availability = 100 × (1 − 3600/2678400) = 99.8656 %: below 99.9, not below 99.0
    //   → 10 % of the rounded base fee 129.00 = 12.90 → −12.90.
    // adjustment (late September usage): 0.40.
    // subtotal = 129.00 + 2.35 − 12.90 + 0.40 = 118.85; discount = −round(11.885) = −11.89;
    // commit true-up = 500.00 − (118.85 − 11.89) = 500.00 − 106.96 = 393.04; total = 500.00.
    name: 'SPEC §9 example: override, graduated, SLA credit, adjustment, discount, minimum commit',
    yaml: usd(D8, `customers:
  acme:
    currency: USD
    contract:
      overrides: { d8-monthly: { base_fee: { amount: "129.00", per: month } } }
      discount_pct: "10"
      minimum_commit: "500.00"
subscriptions:
  - { server_id: srv-0001, customer: acme, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'acme',
    usage: { 'srv-0001@2026-10-01T00:00:00.000Z': { bandwidth_out_gb: '1234.567' } },
    down: [down('srv-0001', '2026-10-05T10:00:00Z', '2026-10-05T11:00:00Z')],
    adjustments: [{ serverId: 'srv-0001', meter: 'bandwidth_out_gb', periodOfUsage: '2026-09', amount: dec('0.4') }],
    lines: ['base_fee:srv-0001=129.00', 'usage:srv-0001:bandwidth_out_gb=2.35', 'sla_credit:srv-0001=-12.90', 'adjustment:srv-0001:bandwidth_out_gb=0.40', 'discount=-11.89', 'minimum_commit=393.04'],
    subtotal: '118.85', total: '500.00',
  },
  {
    // Hourly, starting and ending inside the period: 2026-10-10T12:30 → 2026-10-12T03:00 = 38.5 h
    // → 39 started hours × 0.12 = 4.68.
    name: 'hourly base fee counts started hours',
    yaml: usd(C4, `customers: { acme: {} }
subscriptions:
  - { server_id: srv-0002, customer: acme, plan: c4-hourly, from: "2026-10-10T12:30:00Z", to: "2026-10-12T03:00:00Z" }`),
    period: '2026-10', customer: 'acme',
    lines: ['base_fee:srv-0002=4.68'], subtotal: '4.68', total: '4.68',
  },
  {
    // Monthly, from Oct 11 to Oct 21 = 10 of 31 days: 149 × 10/31 = 48.0645… → 48.06.
    // ssd: q = 3 GB-month, per_unit 0.10 → 0.30. bandwidth: q = 800 < 1000 free → b = 0 → 0.00.
    name: 'monthly fee prorated for a subscription inside the month; free units above usage',
    yaml: usd(D8, `customers: { acme: {} }
subscriptions:
  - { server_id: srv-1, customer: acme, plan: d8-monthly, from: "2026-10-11T00:00:00Z", to: "2026-10-21T00:00:00Z" }`),
    period: '2026-10', customer: 'acme',
    usage: { 'srv-1@2026-10-11T00:00:00.000Z': { ssd_extra_gb: '3', bandwidth_out_gb: '800' } },
    // lines follow the plan's charge order: bandwidth before ssd
    lines: ['base_fee:srv-1=48.06', 'usage:srv-1:bandwidth_out_gb=0.00', 'usage:srv-1:ssd_extra_gb=0.30'],
    subtotal: '48.36', total: '48.36',
  },
  {
    // Plan change mid-month on one server: c4-hourly Sep 1 → Oct 16 00:00 (inside October:
    // 15 days = 360 h × 0.12 = 43.20), then d8-monthly from Oct 16 (16 of 31 days:
    // 149 × 16/31 = 76.9032… → 76.90). subtotal 120.10.
    name: 'plan change mid-month: two subscriptions of one server',
    yaml: usd(D8 + C4, `customers: { globex: {} }
subscriptions:
  - { server_id: srv-3, customer: globex, plan: d8-monthly, from: "2026-10-16T00:00:00Z" }
  - { server_id: srv-3, customer: globex, plan: c4-hourly, from: "2026-09-01T00:00:00Z", to: "2026-10-16T00:00:00Z" }`),
    period: '2026-10', customer: 'globex',
    lines: ['base_fee:srv-3=43.20', 'base_fee:srv-3=76.90'], subtotal: '120.10', total: '120.10',
  },
  {
    // Graduated exactly on the tier boundary: q = 11000, b = 10000 → tier 1 only:
    // 10000 × 0.010 = 100.00 + tier-1 flat 5 = 105.00 (tier 2 not reached: b > 10000 is false).
    // Second server just past it: q = 11000.001, b = 10000.001 → 100 + 5 + 0.001 × 0.005 + 7
    // = 112.000005 → 112.00.
    name: 'graduated: boundary exactly on up_to, flat fees per tier reached',
    yaml: usd(`
  g:
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010", flat_fee: "5" }, { up_to: null, unit_price: "0.005", flat_fee: "7" } ] }`,
    `customers: { c: {} }
subscriptions:
  - { server_id: a, customer: c, plan: g, from: "2026-10-01T00:00:00Z" }
  - { server_id: b, customer: c, plan: g, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'c',
    usage: { 'a@2026-10-01T00:00:00.000Z': { bandwidth_out_gb: '11000' }, 'b@2026-10-01T00:00:00.000Z': { bandwidth_out_gb: '11000.001' } },
    lines: ['usage:a:bandwidth_out_gb=105.00', 'usage:b:bandwidth_out_gb=112.00'], subtotal: '217.00', total: '217.00',
  },
  {
    // Volume: tiers ≤100 @0.10, ≤1000 @0.08 + flat 2, above @0.05.
    // a: b = 100 → first tier with up_to ≥ 100 is tier 1 → 100 × 0.10 = 10.00.
    // b: b = 101 → tier 2 → 101 × 0.08 + 2 = 10.08.  c: b = 0 → 0.00 (no flat fee at zero).
    // d: b = 5000 → tier 3 → 250.00.
    name: 'volume: boundary on up_to, chosen tier flat fee, zero usage',
    yaml: usd(`
  v:
    charges:
      - { meter: requests, model: volume,
          tiers: [ { up_to: "100", unit_price: "0.10" }, { up_to: "1000", unit_price: "0.08", flat_fee: "2" }, { up_to: null, unit_price: "0.05" } ] }`,
    `customers: { c: {} }
subscriptions:
  - { server_id: a, customer: c, plan: v, from: "2026-10-01T00:00:00Z" }
  - { server_id: b, customer: c, plan: v, from: "2026-10-01T00:00:00Z" }
  - { server_id: c, customer: c, plan: v, from: "2026-10-01T00:00:00Z" }
  - { server_id: d, customer: c, plan: v, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'c',
    usage: {
      'a@2026-10-01T00:00:00.000Z': { requests: '100' }, 'b@2026-10-01T00:00:00.000Z': { requests: '101' },
      'c@2026-10-01T00:00:00.000Z': { requests: '0' }, 'd@2026-10-01T00:00:00.000Z': { requests: '5000' },
    },
    lines: ['usage:a:requests=10.00', 'usage:b:requests=10.08', 'usage:c:requests=0.00', 'usage:d:requests=250.00'],
    subtotal: '270.08', total: '270.08',
  },
  {
    // Package of 1 000 000 at 0.50, 500 000 free: a: q = 2 000 000 → b = 1 500 000 → ceil(1.5) = 2
    // → 1.00; b: q = 2 500 001 → b = 2 000 001 → ceil(2.000001) = 3 → 1.50;
    // c: q = 1 500 000 → b = 1 000 000 → exactly 1 package → 0.50.
    name: 'package: partial packages round up, exact multiple does not',
    yaml: usd(`
  p:
    charges:
      - { meter: requests, model: package, free_units: "500000", package_size: "1000000", package_price: "0.50" }`,
    `customers: { c: {} }
subscriptions:
  - { server_id: a, customer: c, plan: p, from: "2026-10-01T00:00:00Z" }
  - { server_id: b, customer: c, plan: p, from: "2026-10-01T00:00:00Z" }
  - { server_id: c, customer: c, plan: p, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'c',
    usage: { 'a@2026-10-01T00:00:00.000Z': { requests: '2000000' }, 'b@2026-10-01T00:00:00.000Z': { requests: '2500001' }, 'c@2026-10-01T00:00:00.000Z': { requests: '1500000' } },
    lines: ['usage:a:requests=1.00', 'usage:b:requests=1.50', 'usage:c:requests=0.50'], subtotal: '3.00', total: '3.00',
  },
  {
    // BHD, 3 minor digits: base 10.000 for the full month → 10.000; per_unit 0.0005 × 1001 =
    // 0.5005 → tie at the 4th digit → half-up 0.501. subtotal 10.501.
    name: '3-digit currency (BHD) with a half-up tie',
    yaml: `currency: BHD\ntimezone: Asia/Bahrain\n${METERS}\nplans:
  m:
    base_fee: { amount: "10.000", per: month }
    charges: [ { meter: requests, model: per_unit, unit_price: "0.0005" } ]
customers: { c: {} }
subscriptions:
  - { server_id: a, customer: c, plan: m, from: "2026-01-01T00:00:00Z" }`,
    period: '2026-10', customer: 'c',
    usage: { 'a@2026-01-01T00:00:00.000Z': { requests: '1001' } },
    lines: ['base_fee:a=10.000', 'usage:a:requests=0.501'], subtotal: '10.501', total: '10.501',
  },
  {
    // JPY, 0 minor digits: November 2026 has 30 days; subscription from Nov 16 = 15 days →
    // 1000 × 15/30 = 500; per_unit 0.5 × 3 = 1.5 → 2 (tie, half-up). Discount 10 %:
    // 502 × 0.10 = 50.2 → −50. total 452.
    name: '0-digit currency (JPY): half-up tie, discount rounded to whole yen',
    yaml: `currency: JPY\ntimezone: UTC\n${METERS}\nplans:
  m:
    base_fee: { amount: "1000", per: month }
    charges: [ { meter: requests, model: per_unit, unit_price: "0.5" } ]
customers: { c: { contract: { discount_pct: "10" } } }
subscriptions:
  - { server_id: a, customer: c, plan: m, from: "2026-11-16T00:00:00Z" }`,
    period: '2026-11', customer: 'c',
    usage: { 'a@2026-11-16T00:00:00.000Z': { requests: '3' } },
    lines: ['base_fee:a=500', 'usage:a:requests=2', 'discount=-50'], subtotal: '502', total: '452',
  },
  {
    // Half-unit cases in USD, both signs: per_unit 0.005 × 1 = 0.005 → 0.01; base 0.10/month full
    // month → 0.10; SLA down 2 of 30 days of November → availability 93.33 % < 95 → 100 % credit
    // of 0.10 → −0.10. Second server: base 0.10, down 0.5 % → 99.5 %, below 99.9 only → 10 % of
    // 0.10 = 0.01 → −0.01. Third: base 0.10, availability 98 % (below 99.0, not 95.0) → 25 % ×
    // 0.10 = 0.025 → negated rounding of the magnitude: −0.03.
    // subtotal = 0.10 + 0.01 − 0.10 + 0.10 − 0.01 + 0.10 − 0.03 = 0.17.
    name: 'half-up ties away from zero on positive and negative lines (SLA credit tiers)',
    yaml: usd(`
  s:
    base_fee: { amount: "0.10", per: month }
    charges: [ { meter: requests, model: per_unit, unit_price: "0.005" } ]
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" }, { below: "95.0", credit_pct: "100" } ]`,
    `customers: { c: {} }
subscriptions:
  - { server_id: a, customer: c, plan: s, from: "2026-10-01T00:00:00Z" }
  - { server_id: b, customer: c, plan: s, from: "2026-10-01T00:00:00Z" }
  - { server_id: d, customer: c, plan: s, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-11', customer: 'c',
    usage: { 'a@2026-10-01T00:00:00.000Z': { requests: '1' } },
    // November: 2 592 000 s. b: 0.5 % = 12 960 s down. d: 2 % = 51 840 s = 14.4 h down (open
    // interval from Nov 30 09:36 runs to the period end).
    down: [
      down('a', '2026-11-03T00:00:00Z', '2026-11-05T00:00:00Z'),
      down('b', '2026-11-10T00:00:00Z', '2026-11-10T03:36:00Z'),
      down('d', '2026-11-30T09:36:00Z', null),
    ],
    lines: ['base_fee:a=0.10', 'usage:a:requests=0.01', 'sla_credit:a=-0.10', 'base_fee:b=0.10', 'sla_credit:b=-0.01', 'base_fee:d=0.10', 'sla_credit:d=-0.03'],
    subtotal: '0.17', total: '0.17',
  },
  {
    // Europe/Berlin, October 2026: DST ends on Oct 25 (03:00 CEST → 02:00 CET), so the month runs
    // 2026-09-30T22:00Z → 2026-10-31T23:00Z = 31 days + 1 h = 745 h = 2 682 000 s.
    // hourly full month: 745 × 0.12 = 89.40.
    // monthly from Oct 16 00:00 local (= 2026-10-15T22:00Z): to the end 16 days + 1 h = 385 h →
    // 149 × 385/745 = 149 × 77/149 = 77.00 exactly.
    name: 'DST month in Europe/Berlin: 745 hours, proration by real elapsed time',
    yaml: `currency: EUR\ntimezone: Europe/Berlin\n${METERS}\nplans:${D8.replace('USD', 'EUR')}${C4}
customers: { c: {} }
subscriptions:
  - { server_id: h, customer: c, plan: c4-hourly, from: "2026-09-01T00:00:00+02:00" }
  - { server_id: m, customer: c, plan: d8-monthly, from: "2026-10-16T00:00:00+02:00" }`,
    period: '2026-10', customer: 'c',
    lines: ['base_fee:h=89.40', 'base_fee:m=77.00'], subtotal: '166.40', total: '166.40',
  },
  {
    // Minimum commit already met: base 149.00 > 100 commit → no true-up line; no discount line.
    name: 'minimum commit met: no true-up line',
    yaml: usd(D8, `customers: { c: { contract: { minimum_commit: "100" } } }
subscriptions:
  - { server_id: a, customer: c, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'c',
    lines: ['base_fee:a=149.00'], subtotal: '149.00', total: '149.00',
  },
  {
    // Charge override matched by meter: ssd per_unit 0.10 → 0.07 for this customer. q = 10 → 0.70.
    name: 'contract override of a charge, matched by meter',
    yaml: usd(D8, `customers:
  c:
    contract:
      overrides: { d8-monthly: { charges: [ { meter: ssd_extra_gb, model: per_unit, unit_price: "0.07" } ] } }
subscriptions:
  - { server_id: a, customer: c, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }`),
    period: '2026-10', customer: 'c',
    usage: { 'a@2026-10-01T00:00:00.000Z': { ssd_extra_gb: '10' } },
    lines: ['base_fee:a=149.00', 'usage:a:ssd_extra_gb=0.70'], subtotal: '149.70', total: '149.70',
  },
];

for (const c of cases) {
  test(`rating: ${c.name}`, () => {
    const cat = catalog(c.yaml);
    const inv = rateInvoice({
      catalog: cat,
      customer: c.customer,
      period: parsePeriod(c.period, cat.timezone),
      subscriptions: cat.subscriptions.filter((s) => s.customer === c.customer),
      usage: usage(c.usage ?? {}),
      down: c.down ?? [],
      adjustments: c.adjustments ?? [],
    });
    assert.deepEqual(amounts(inv), c.lines);
    const j = json(inv);
    assert.equal(j.subtotal, c.subtotal);
    assert.equal(j.total, c.total);
  });
}

test('rating: §9 line shapes (field names and string formats)', () => {
  const c = cases[0]!;
  const cat = catalog(c.yaml);
  const inv = rateInvoice({
    catalog: cat, customer: 'acme', period: parsePeriod('2026-10', 'UTC'), subscriptions: cat.subscriptions,
    usage: usage(c.usage ?? {}), down: c.down ?? [], adjustments: c.adjustments ?? [],
  });
  assert.deepEqual(json(inv), {
    customer: 'acme', currency: 'USD', status: 'draft',
    period: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
    lines: [
      { type: 'base_fee', server_id: 'srv-0001', plan: 'd8-monthly', quantity: '1', unit: 'month', unit_price: '129.00', amount: '129.00' },
      { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '1234.567', unit: 'GB', amount: '2.35' },
      { type: 'sla_credit', server_id: 'srv-0001', plan: 'd8-monthly', amount: '-12.90' },
      { type: 'adjustment', server_id: 'srv-0001', meter: 'bandwidth_out_gb', period_of_usage: '2026-09', amount: '0.40' },
      { type: 'discount', amount: '-11.89' },
      { type: 'minimum_commit', amount: '393.04' },
    ],
    // No `taxes` in the catalogue (SPEC §6 step 7): no tax line, tax_total zero, totals equal.
    subtotal: '118.85', total_excluding_tax: '500.00', tax_total: '0.00', total: '500.00',
  });
});
