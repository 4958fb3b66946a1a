// Bad input to `meterline bill`: clear errors naming the problem, non-zero exit. SPEC §4/§5 and
// docs/decisions.md ("Bad input lines … reported on stderr as file:line: reason, skipped, the
// invoices still printed, exit code 1"; "A catalogue is rejected as a whole; every problem is
// listed as path: message"; "Bad usage exits 2").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { assertDec, bill, catalog, invoice, line, meterline, sample, tempDir, type BillJson } from './harness.js';

const METERS = { req: { metric: 'http_requests', kind: 'delta', unit: 'request' } };
const PLANS = {
  p: { base_fee: { amount: '10.00', per: 'month' }, charges: [{ meter: 'req', model: 'per_unit', unit_price: '1' }] },
};
const GOOD = catalog({
  meters: METERS,
  plans: PLANS,
  customers: { c: {} },
  subscriptions: [{ server_id: 'srv-1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
});

test('a malformed NDJSON line is reported with file and line number, skipped, exit 1; the rest is billed', () => {
  const r = bill({
    catalog: GOOD,
    events: [[
      sample('srv-1', '2026-10-02T00:00:00Z', { http_requests: 5 }),
      '{"id":"broken","server_id":"srv-1",',
      sample('srv-1', '2026-10-03T00:00:00Z', { http_requests: 7 }),
    ]],
    period: '2026-10',
  });
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`${basename(r.eventFiles[0] as string).replace('.', '\\.')}:2\\b`));
  assert.ok(r.json, 'invoices are still printed');
  assertDec(line(invoice(r.json as BillJson, 'c'), 'usage', { server_id: 'srv-1' }).quantity, '12');
});

test('NaN metric values (bare NaN, and the string "NaN") are rejected by line, not billed', () => {
  const r = bill({
    catalog: GOOD,
    events: [[
      sample('srv-1', '2026-10-02T00:00:00Z', { http_requests: 5 }),
      '{"id":"nan-1","server_id":"srv-1","ts":"2026-10-03T00:00:00Z","metrics":{"http_requests":NaN}}',
      '{"id":"nan-2","server_id":"srv-1","ts":"2026-10-04T00:00:00Z","metrics":{"http_requests":"NaN"}}',
    ]],
    period: '2026-10',
  });
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.match(r.stderr, /:2\b/);
  assert.match(r.stderr, /:3\b.*NaN|NaN[\s\S]*:3\b|:3\b[^\n]*http_requests/);
  assertDec(line(invoice(r.json as BillJson, 'c'), 'usage', { server_id: 'srv-1' }).quantity, '5');
});

test('an invalid ts is rejected naming the field', () => {
  const r = bill({
    catalog: GOOD,
    events: [[
      '{"id":"bad-ts","server_id":"srv-1","ts":"2026-13-45T00:00:00Z","metrics":{"http_requests":5}}',
      sample('srv-1', '2026-10-03T00:00:00Z', { http_requests: 7 }),
    ]],
    period: '2026-10',
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /:1\b[^\n]*ts/);
  assertDec(line(invoice(r.json as BillJson, 'c'), 'usage', { server_id: 'srv-1' }).quantity, '7');
});

function badCatalog(cat: object): { code: number; stderr: string; stdout: string } {
  return bill({ catalog: cat, events: [[sample('srv-1', '2026-10-02T00:00:00Z', { http_requests: 5 })]], period: '2026-10' });
}

test('overlapping subscriptions of one server: catalogue rejected, naming the server, no invoices', () => {
  const r = badCatalog(catalog({
    meters: METERS, plans: PLANS, customers: { c: {}, d: {} },
    subscriptions: [
      { server_id: 'srv-1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z', to: '2026-10-15T00:00:00Z' },
      { server_id: 'srv-1', customer: 'd', plan: 'p', from: '2026-10-10T00:00:00Z' },
    ],
  }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /overlap/i);
  assert.match(r.stderr, /srv-1|subscriptions\[1\]/);
  assert.doesNotMatch(r.stdout, /"invoices"/);
});

test('a charge on an unknown meter: catalogue rejected, naming the meter', () => {
  const r = badCatalog(catalog({
    meters: METERS,
    plans: { p: { base_fee: { amount: '10.00', per: 'month' }, charges: [{ meter: 'no_such_meter', model: 'per_unit', unit_price: '1' }] } },
    customers: { c: {} },
    subscriptions: [{ server_id: 'srv-1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
  }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no_such_meter/);
  assert.doesNotMatch(r.stdout, /"invoices"/);
});

test('a subscription to an unknown plan or customer: catalogue rejected, naming each', () => {
  const r = badCatalog(catalog({
    meters: METERS, plans: PLANS, customers: { c: {} },
    subscriptions: [
      { server_id: 'srv-1', customer: 'c', plan: 'nope-plan', from: '2026-09-01T00:00:00Z' },
      { server_id: 'srv-2', customer: 'nobody', plan: 'p', from: '2026-09-01T00:00:00Z' },
    ],
  }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nope-plan/);
  assert.match(r.stderr, /nobody/);
});

test('a customer currency differing from the catalogue’s is rejected (§5 "must equal")', () => {
  const r = badCatalog(catalog({
    meters: METERS, plans: PLANS, customers: { c: { currency: 'EUR' } },
    subscriptions: [{ server_id: 'srv-1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
  }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /currency/);
});

test('bad usage: missing --period or a malformed one exits non-zero with a reason', () => {
  const dir = tempDir();
  const cat = join(dir, 'c.json');
  const ev = join(dir, 'e.ndjson');
  writeFileSync(cat, JSON.stringify(GOOD));
  writeFileSync(ev, '');
  const missing = meterline(['bill', '--catalog', cat, '--events', ev]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /period/);
  const bad = meterline(['bill', '--catalog', cat, '--events', ev, '--period', '2026-13']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /period|2026-13/);
});

test('unreadable input: malformed YAML, a missing catalogue or events file → non-zero, naming the file', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.yaml');
  const ev = join(dir, 'e.ndjson');
  const good = join(dir, 'good.json');
  writeFileSync(bad, 'currency: USD\nmeters: {a: [\n');
  writeFileSync(ev, '');
  writeFileSync(good, JSON.stringify(GOOD));
  for (const [args, named] of [
    [['--catalog', bad, '--events', ev], 'bad.yaml'],
    [['--catalog', join(dir, 'nope.yaml'), '--events', ev], 'nope.yaml'],
    [['--catalog', good, '--events', join(dir, 'missing.ndjson')], 'missing.ndjson'],
  ] as const) {
    const r = meterline(['bill', ...args, '--period', '2026-10']);
    assert.notEqual(r.code, 0, `${named}: exit code`);
    assert.ok(r.stderr.includes(named), `${named} named in: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /"invoices"/);
  }
  const c = meterline(['nagios', 'convert', '--perfdata', join(dir, 'missing.txt')]);
  assert.notEqual(c.code, 0);
  assert.ok(c.stderr.includes('missing.txt'));
});
