// Bad catalogue files (issue 12.8, SPEC §3, §5): each row one edit of a good catalogue and the
// problem it must be reported as — the path of the field and a message saying what is wrong —
// and a property-based fuzz of the loader: whatever the text, parseCatalog returns a catalogue
// or throws a ValidationError whose every problem has a path and a message; nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import YAML from 'yaml';
import { parseCatalog } from '../../catalog/load.js';
import { ValidationError } from '../../lib/errors.js';
import { problems } from './problems.js';

const GOOD = `currency: USD
timezone: UTC
meters:
  bw: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu: { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
  ips: { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
plans:
  d8:
    base_fee: { amount: "149.00", per: month }
    charges:
      - { meter: bw, model: graduated, free_units: "1000", tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ] }
      - { meter: ips, model: per_unit, unit_price: "0.004" }
    sla:
      credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" } ]
  c4:
    base_fee: { amount: "0.12", per: hour }
customers:
  acme:
    contract: { discount_pct: "10", minimum_commit: "500.00" }
subscriptions:
  - { server_id: srv-1, customer: acme, plan: d8, from: "2026-10-01T00:00:00Z" }
`;

const edit = (from: string, to: string): string => {
  assert.ok(GOOD.includes(from), `the fixture has no ${from}`);
  return GOOD.replace(from, to);
};

/** [name, catalogue text, path of the problem, what its message must say] */
const CASES: Array<[string, string, string | RegExp, RegExp]> = [
  ['not YAML', 'currency: [USD', /line|file/, /./],
  ['a list, not a map', '- a\n- b\n', /.*/, /map/],
  ['currency unknown', edit('currency: USD', 'currency: XYZ'), 'currency', /XYZ|ISO 4217/],
  ['currency lower case', edit('currency: USD', 'currency: usd'), 'currency', /usd|ISO 4217/],
  ['timezone unknown', edit('timezone: UTC', 'timezone: Mars/Olympus'), 'timezone', /Mars\/Olympus|IANA/],
  ['meter kind unknown', edit('kind: counter', 'kind: odometer'), 'meters.bw.kind', /odometer/],
  ['meter without metric', edit('metric: net_tx_bytes, ', ''), 'meters.bw.metric', /required/],
  ['meter factor a word', edit('factor: 1e-9', 'factor: tiny'), 'meters.bw.factor', /tiny|decimal/],
  ['meter factor zero', edit('factor: 1e-9', 'factor: 0'), 'meters.bw.factor', /greater than 0|positive/],
  ['gauge without aggregation', edit('aggregation: max, ', ''), 'meters.cpu.aggregation', /required for a gauge/],
  ['gauge aggregation sum', edit('aggregation: max', 'aggregation: sum'), 'meters.cpu.aggregation', /"sum" does not apply to a gauge/],
  ['counter aggregation max', edit('kind: counter,', 'kind: counter, aggregation: max,'), 'meters.bw.aggregation', /does not apply to a counter meter/],
  ['per_seconds on max', edit('aggregation: max,', 'aggregation: max, per_seconds: 60,'), 'meters.cpu.per_seconds', /only applies to aggregation integral/],
  ['per_seconds negative', edit('per_seconds: 3600', 'per_seconds: -1'), 'meters.ips.per_seconds', /greater than 0|positive/],
  ['unique without label', edit('aggregation: max', 'aggregation: unique'), 'meters.cpu.label', /required with aggregation unique/],
  ['base fee per week', edit('per: month', 'per: week'), 'plans.d8.base_fee.per', /week|hour|month/],
  ['base fee amount a word', edit('amount: "149.00"', 'amount: "lots"'), 'plans.d8.base_fee.amount', /lots|decimal/],
  ['base fee amount negative', edit('amount: "149.00"', 'amount: "-1.00"'), 'plans.d8.base_fee.amount', /./],
  ['base fee amount of 17 digits unquoted', edit('amount: "149.00"', 'amount: 0.30000000000000004'), 'plans.d8.base_fee.amount', /15 significant digits|quote/],
  ['charge on an unknown meter', edit('{ meter: ips, model', '{ meter: ipz, model'), 'plans.d8.charges[1].meter', /unknown meter "ipz"/],
  ['charge model unknown', edit('model: per_unit', 'model: freemium'), 'plans.d8.charges[1].model', /freemium/],
  ['per_unit without unit_price', edit('model: per_unit, unit_price: "0.004"', 'model: per_unit'), 'plans.d8.charges[1].unit_price', /required/],
  ['tiers on per_unit', edit('model: per_unit, unit_price: "0.004"', 'model: per_unit, unit_price: "0.004", tiers: []'), 'plans.d8.charges[1].tiers', /does not apply to model per_unit/],
  ['tiers not increasing', edit('{ up_to: null, unit_price: "0.005" }', '{ up_to: "5000", unit_price: "0.005" }, { up_to: null, unit_price: "0.001" }'), 'plans.d8.charges[0].tiers[1].up_to', /greater than 10000/],
  ['last tier bounded', edit('{ up_to: null, unit_price: "0.005" }', '{ up_to: "20000", unit_price: "0.005" }'), 'plans.d8.charges[0].tiers[1].up_to', /last tier must be unbounded/],
  ['an unbounded tier before the last', edit('{ up_to: "10000", unit_price: "0.010" }', '{ up_to: null, unit_price: "0.010" }'), 'plans.d8.charges[0].tiers[0].up_to', /only the last tier may be unbounded/],
  ['tiers empty', edit('tiers: [ { up_to: "10000", unit_price: "0.010" }, { up_to: null, unit_price: "0.005" } ]', 'tiers: []'), 'plans.d8.charges[0].tiers', /non-empty list of tiers/],
  ['free_units negative', edit('free_units: "1000"', 'free_units: "-1"'), 'plans.d8.charges[0].free_units', /./],
  ['a meter charged twice', edit('{ meter: ips, model', '{ meter: bw, model'), 'plans.d8.charges[1].meter', /already charged by/],
  ['sla credits empty', edit('credits: [ { below: "99.9", credit_pct: "10" }, { below: "99.0", credit_pct: "25" } ]', 'credits: []'), 'plans.d8.sla.credits', /non-empty list/],
  ['sla threshold twice', edit('{ below: "99.0", credit_pct: "25" }', '{ below: "99.9", credit_pct: "25" }'), 'plans.d8.sla.credits[1].below', /listed twice/],
  ['sla credit over 100 %', edit('credit_pct: "25"', 'credit_pct: "250"'), 'plans.d8.sla.credits[1].credit_pct', /./],
  ['customer currency other than the catalogue\'s', edit('acme:\n', 'acme:\n    currency: EUR\n'), 'customers.acme.currency', /must equal the catalogue's currency USD/],
  ['discount over 100 %', edit('discount_pct: "10"', 'discount_pct: "110"'), 'customers.acme.contract.discount_pct', /./],
  ['minimum commit a word', edit('minimum_commit: "500.00"', 'minimum_commit: "lots"'), 'customers.acme.contract.minimum_commit', /lots|decimal/],
  ['override of an unknown plan', edit('contract: { discount_pct', 'contract: { overrides: { zz: { base_fee: { amount: "1.00", per: month } } }, discount_pct'), /customers\.acme\.contract\.overrides\.zz/, /unknown plan|zz/],
  ['subscription of an unknown plan', edit('plan: d8, from', 'plan: d9, from'), 'subscriptions[0].plan', /unknown plan "d9"/],
  ['subscription of an unknown customer', edit('customer: acme, plan', 'customer: acne, plan'), 'subscriptions[0].customer', /unknown customer "acne"/],
  ['subscription without from', edit(', from: "2026-10-01T00:00:00Z"', ''), 'subscriptions[0].from', /required/],
  ['subscription from not a time', edit('from: "2026-10-01T00:00:00Z"', 'from: "someday"'), 'subscriptions[0].from', /someday|RFC 3339/],
  ['subscription from a non-date', edit('from: "2026-10-01T00:00:00Z"', 'from: "2026-02-30"'), 'subscriptions[0].from', /not a real date/],
  ['subscription to before from', edit('from: "2026-10-01T00:00:00Z" }', 'from: "2026-10-01T00:00:00Z", to: "2026-09-01T00:00:00Z" }'), 'subscriptions[0].to', /after|from/],
  ['overlapping subscriptions of one server', edit('from: "2026-10-01T00:00:00Z" }', 'from: "2026-10-01T00:00:00Z" }\n  - { server_id: srv-1, customer: acme, plan: c4, from: "2026-10-05T00:00:00Z" }'), /subscriptions\[1\]/, /overlap/],
  ['subscriptions a map', edit('subscriptions:\n  - { server_id: srv-1, customer: acme, plan: d8, from: "2026-10-01T00:00:00Z" }', 'subscriptions: { a: 1 }'), 'subscriptions', /list/],
  ['a duplicate key', edit('  c4:\n', '  d8:\n'), /line/, /unique|duplicate/i],
];

for (const [name, text, path, message] of CASES) {
  test(`catalogue: ${name}`, () => {
    const p = problems(text);
    const hit = p.find((x) => (typeof path === 'string' ? x.path === path : path.test(x.path)) && message.test(x.message));
    assert.ok(hit, `no problem at ${String(path)} matching ${message}; got ${JSON.stringify(p)}`);
  });
}

/** parseCatalog's whole contract on any input: a catalogue, or a ValidationError listing problems by path. */
function loadsOrNamesProblems(text: string): void {
  try {
    parseCatalog(text);
  } catch (err) {
    assert.ok(err instanceof ValidationError, `not a ValidationError: ${String(err)}`);
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) assert.ok(p.path.length > 0 && p.message.length > 0, JSON.stringify(p));
  }
}

test('fuzz: the catalogue text cut, spliced or sprinkled with YAML punctuation never crashes the loader', () => {
  const junk = fc.constantFrom(':', '-', '[', ']', '{', '}', '"', "'", '&a', '*a', '!!binary', '\t', '\n', '#', '|', '>', '?', '1e999', '0x1F', '.nan', 'null', '~', '  ');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.oneof(junk, fc.string({ maxLength: 5 })), fc.nat({ max: 6 })), { minLength: 1, maxLength: 6 }), (edits) => {
      let text = GOOD;
      for (const [at, insert, cut] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + cut);
      }
      loadsOrNamesProblems(text);
    }),
    { numRuns: 500 },
  );
});

test('fuzz: any JSON value in place of any field of the catalogue (JSON form) is accepted or named', () => {
  const good = JSON.parse(JSON.stringify(parseYamlToJson(GOOD))) as Record<string, unknown>;
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    paths.push(path);
    if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(good, []);
  fc.assert(
    fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
      const doc = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      let at: Record<string, unknown> = doc;
      for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
      at[path.at(-1)!] = value;
      loadsOrNamesProblems(JSON.stringify(doc));
    }),
    { numRuns: 500 },
  );
});

/** The good catalogue as plain JSON (through the yaml package directly: the loader is what is under test). */
function parseYamlToJson(text: string): unknown {
  return YAML.parse(text) as unknown;
}
