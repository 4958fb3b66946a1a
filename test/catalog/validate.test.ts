// The catalogue validator: one test per kind of problem, each checking the reported path; a
// bad catalogue is rejected as a whole with every problem listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseCatalog } from '../../catalog/load.js';
import { problems } from './problems.js';

const GOOD = `currency: USD
timezone: UTC
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak_pct:     { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
plans:
  d8-monthly:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bandwidth_out_gb, model: graduated, free_units: "1000",
          tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
customers:
  acme: { currency: USD }
subscriptions:
  - { server_id: srv-0001, customer: acme, plan: d8-monthly, from: "2026-10-01T00:00:00Z" }
`;


/** Asserts exactly one problem, at `path`, whose message matches. */
function rejects(yaml: string, path: string, message: RegExp): void {
  const p = problems(yaml);
  assert.equal(p.length, 1, `expected one problem, got: ${JSON.stringify(p)}`);
  assert.equal(p[0]!.path, path);
  assert.match(p[0]!.message, message);
}

const edit = (from: string, to: string): string => {
  assert.ok(GOOD.includes(from), `fixture has no ${from}`);
  return GOOD.replace(from, to);
};

test('the good fixture loads, with exact numbers and a subscription id', () => {
  const c = parseCatalog(GOOD);
  assert.equal(c.minorDigits, 2);
  assert.equal(c.meters.bandwidth_out_gb!.factor.toFixed(), '0.000000001');
  assert.equal(c.plans['d8-monthly']!.charges[0]!.tiers![0]!.unitPrice.toFixed(), '0.01');
  assert.equal(c.subscriptions[0]!.id, 'srv-0001@2026-10-01T00:00:00.000Z');
  assert.equal(c.contentHash, createHash('sha256').update(GOOD).digest('hex'));
});

test('unknown meter in a charge', () => {
  rejects(edit('{ meter: bandwidth_out_gb, model: graduated', '{ meter: bandwidth, model: graduated'), 'plans.d8-monthly.charges[0].meter', /unknown meter "bandwidth"/);
});

test('unknown plan in a subscription', () => {
  rejects(edit('plan: d8-monthly, from', 'plan: d9, from'), 'subscriptions[0].plan', /unknown plan "d9"/);
});

test('unknown customer in a subscription', () => {
  rejects(edit('customer: acme, plan', 'customer: acne, plan'), 'subscriptions[0].customer', /unknown customer "acne"/);
});

test('overlapping subscriptions of one server, including one nested in a longer one', () => {
  const yaml = GOOD + `  - { server_id: srv-0001, customer: acme, plan: d8-monthly, from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z" }\n`;
  rejects(yaml, 'subscriptions[1]', /overlaps subscriptions\[0\] of server srv-0001/);
  const nested = `currency: USD
meters: { m: { metric: x, kind: delta, unit: u } }
plans: { p: { base_fee: { amount: "1", per: month } } }
customers: { c: {} }
subscriptions:
  - { server_id: s, customer: c, plan: p, from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }
  - { server_id: s, customer: c, plan: p, from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }
  - { server_id: s, customer: c, plan: p, from: "2026-04-01T00:00:00Z", to: "2026-05-01T00:00:00Z" }
  - { server_id: s, customer: c, plan: p, from: "2026-12-01T00:00:00Z" }
`;
  assert.deepEqual(problems(nested).map((p) => p.path), ['subscriptions[1]', 'subscriptions[2]']);
});

test('tiers out of order', () => {
  rejects(edit('{ up_to: null, unit_price: "0.005" }', '{ up_to: "5000", unit_price: "0.005" }, { up_to: null, unit_price: "0.001" }'),
    'plans.d8-monthly.charges[0].tiers[1].up_to', /^must be greater than 10000$/);
});

test('the last tier must be unbounded; only the last may be', () => {
  rejects(edit('{ up_to: null, unit_price: "0.005" }', '{ up_to: "20000", unit_price: "0.005" }'),
    'plans.d8-monthly.charges[0].tiers[1].up_to', /last tier must be unbounded/);
  rejects(edit('{ up_to: "10000", unit_price: "0.010" }', '{ up_to: null, unit_price: "0.010" }'),
    'plans.d8-monthly.charges[0].tiers[0].up_to', /only the last tier may be unbounded/);
});

test('unknown currency', () => {
  rejects(edit('currency: USD\ntimezone', 'currency: USX\ntimezone'), 'currency', /unknown ISO 4217 currency code "USX"/);
});

test('bad IANA time zone', () => {
  rejects(edit('timezone: UTC', 'timezone: Europe/Atlantis'), 'timezone', /unknown IANA time zone/);
});

test('money that is not a decimal string', () => {
  rejects(edit('amount: "149.00"', 'amount: "149,00"'), 'plans.d8-monthly.base_fee.amount', /must be a decimal string/);
  rejects(edit('amount: "149.00"', 'amount: "1.49e2"'), 'plans.d8-monthly.base_fee.amount', /must be a decimal string/);
  rejects(edit('amount: "149.00"', 'amount: [149]'), 'plans.d8-monthly.base_fee.amount', /must be a decimal string/);
});

test('a YAML number where precision would be lost is rejected; an exact one is read from its text', () => {
  // 0.30000000000000004 has 17 significant digits: other readers of the file would see 0.3.
  rejects(edit('unit_price: "0.010"', 'unit_price: 0.30000000000000004'), 'plans.d8-monthly.charges[0].tiers[0].unit_price', /more than 15 significant digits.*"0\.30000000000000004"/);
  // 0.01 is not a double, but meterline reads the text, so it is exactly one cent.
  const cent = parseCatalog(edit('unit_price: "0.010"', 'unit_price: 0.01'));
  assert.equal(cent.plans['d8-monthly']!.charges[0]!.tiers![0]!.unitPrice.toFixed(), '0.01');
  const c = parseCatalog(edit('amount: "149.00"', 'amount: 149.50'));
  assert.equal(c.plans['d8-monthly']!.baseFee!.amount.toFixed(), '149.5');
  // meter factors are read by their source text, never through a double: 1e-9 stays exact.
  assert.equal(parseCatalog(GOOD).meters.bandwidth_out_gb!.factor.times(1234567890).toFixed(), '1.23456789');
});

test('customer currency different from the catalogue', () => {
  rejects(edit('acme: { currency: USD }', 'acme: { currency: EUR }'), 'customers.acme.currency', /must equal the catalogue's currency USD/);
});

test('subscription to not after from', () => {
  rejects(edit('from: "2026-10-01T00:00:00Z" }', 'from: "2026-10-01T00:00:00Z", to: "2026-10-01T00:00:00Z" }'), 'subscriptions[0].to', /must be later than from/);
  rejects(edit('from: "2026-10-01T00:00:00Z" }', 'from: "2026-10-01 00:00" }'), 'subscriptions[0].from', /not RFC 3339/);
  rejects(edit('from: "2026-10-01T00:00:00Z" }', 'from: "2026-02-30" }'), 'subscriptions[0].from', /not a real date/);
});

test('a bare date is midnight in the catalogue time zone', () => {
  const c = parseCatalog(edit('timezone: UTC', 'timezone: Europe/Berlin').replace('from: "2026-10-01T00:00:00Z" }', 'from: 2026-10-01, to: "2026-10-20" }'));
  assert.equal(c.subscriptions[0]!.fromMs, Date.parse('2026-09-30T22:00:00Z'));
  assert.equal(c.subscriptions[0]!.toMs, Date.parse('2026-10-19T22:00:00Z'));
});

test('kind/aggregation combinations that mean nothing', () => {
  rejects(edit('kind: gauge, aggregation: max', 'kind: gauge'), 'meters.cpu_peak_pct.aggregation', /required for a gauge/);
  rejects(edit('kind: gauge, aggregation: max', 'kind: counter, aggregation: max'), 'meters.cpu_peak_pct.aggregation', /does not apply to a counter/);
  rejects(edit('kind: gauge, aggregation: max', 'kind: gauge, aggregation: median'), 'meters.cpu_peak_pct.aggregation', /does not apply to a gauge/);
  rejects(edit('kind: gauge, aggregation: max', 'kind: level, aggregation: max'), 'meters.cpu_peak_pct.kind', /one of delta, counter, gauge/);
});

test('contract override of an unknown plan', () => {
  rejects(edit('acme: { currency: USD }', 'acme: { contract: { overrides: { d9: { base_fee: { amount: "1", per: month } } } } }'),
    'customers.acme.contract.overrides.d9', /unknown plan "d9"/);
});

test('model fields: per_unit without unit_price, fields of another model', () => {
  const yaml = edit('charges:\n', 'charges:\n      - { meter: cpu_peak_pct, model: per_unit, package_size: "10" }\n');
  assert.deepEqual(problems(yaml).map((p) => p.path), ['plans.d8-monthly.charges[0].package_size', 'plans.d8-monthly.charges[0].unit_price']);
});

test('a misspelt field is reported, not ignored', () => {
  rejects(edit('free_units: "1000"', 'free_unit: "1000"'), 'plans.d8-monthly.charges[0].free_unit', /unknown field/);
});

test('every problem is listed at once', () => {
  const bad = GOOD.replace('currency: USD\ntimezone: UTC', 'currency: XYZ\ntimezone: Mars/Olympus')
    .replace('meter: bandwidth_out_gb, model', 'meter: nope, model')
    .replace('customer: acme, plan', 'customer: nobody, plan');
  assert.deepEqual(problems(bad).map((p) => p.path).sort(), ['currency', 'plans.d8-monthly.charges[0].meter', 'subscriptions[0].customer', 'timezone']);
  assert.throws(() => parseCatalog(bad), (err: Error) => /currency: unknown ISO 4217.*timezone: unknown IANA/s.test(err.message));
});

test('YAML syntax errors name line and column', () => {
  const p = problems('currency: USD\nplans: { a: [1, 2 }\n');
  assert.match(p[0]!.path, /^\(line 2, column \d+\)$/);
});

test('JSON catalogues load too, numbers judged by their source text', () => {
  const json = JSON.stringify({
    currency: 'JPY', timezone: 'Asia/Tokyo',
    meters: { r: { metric: 'req', kind: 'delta', unit: 'request' } },
    plans: { p: { base_fee: { amount: '1000', per: 'month' }, charges: [{ meter: 'r', model: 'per_unit', unit_price: '0.5' }] } },
    customers: { c: {} },
    subscriptions: [{ server_id: 's', customer: 'c', plan: 'p', from: '2026-10-01T00:00:00+09:00' }],
  });
  const c = parseCatalog(json);
  assert.equal(c.minorDigits, 0);
  assert.equal(c.subscriptions[0]!.fromMs, Date.parse('2026-09-30T15:00:00Z'));
  assert.equal(parseCatalog(json.replace('"0.5"', '0.3')).plans.p!.charges[0]!.unitPrice!.toFixed(), '0.3');
  rejects(json.replace('"0.5"', '12345678901234567890'), 'plans.p.charges[0].unit_price', /more than 15 significant digits/);
});
