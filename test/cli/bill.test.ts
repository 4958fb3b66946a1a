// End-to-end `meterline bill` on the shipped examples, run as the real CLI. The expected
// invoices are worked out by hand from examples/catalog.yaml and examples/samples.ndjson.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'meterline.js');
const ex = (f: string): string => join(root, 'examples', f);

function bill(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'bill', ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const PERIOD = { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' };

// acme, srv-0001 (d8-monthly, contract base fee 129.00, whole October = 1 month):
//   bandwidth: counter baseline 1 000 000 000 000 B on Sep 30 (outside the period, still the
//   baseline), then 2 234 567 000 000 B on Oct 15 → 1 234 567 000 000 B × 1e-9 = 1234.567 GB;
//   b = 234.567 (1000 free) × 0.010 = 2.34567 → 2.35.
//   ssd: 200 GB × 1 339 200 s ÷ 2 678 400 s (October) = 100 GB-month × 0.10 = 10.00.
//   ip_hours: 3 samples × 2 IPs × 3600 s ÷ 3600 = 6 IP-hours (the re-sent s1-ip-3 counts once;
//   the Nov 1 sample is outside) × 0.004 = 0.024 → 0.02.
//   cpu_util_pct: metered, not charged by the plan → no line.
// acme, srv-0002 (c4-hourly, Oct 10 12:30 → Oct 12 03:00 = 38.5 h → 39 h × 0.12 = 4.68):
//   requests 1 500 000 → ceil(1.5) = 2 packages × 0.50 = 1.00. (The Oct 12 05:00 sample is after
//   the subscription ended → unattributed.)
// subtotal = 129.00 + 2.35 + 10.00 + 0.02 + 4.68 + 1.00 = 147.05
// discount = −round(14.705) = −14.71 (half-up tie); commit = 500 − (147.05 − 14.71) = 367.66;
// total = 500.00.
// globex, srv-0003: c4-hourly until Oct 16 → 15 days = 360 h × 0.12 = 43.20, requests 2 000 001
//   → 3 packages = 1.50; d8-monthly from Oct 16 → 149 × 16/31 = 76.9032… → 76.90 (quantity
//   16/31 = 0.516129032…); bandwidth 5.5e12 − 5e12 B = 500 GB, all free → 0.00.
//   subtotal = total = 121.60.
// unattributed: srv-0002 requests 1000 (after its subscription); srv-9999 cpu 50 (no subscription).
const EXPECTED = {
  invoices: [
    {
      customer: 'acme', currency: 'USD', status: 'draft', period: PERIOD,
      lines: [
        { type: 'base_fee', server_id: 'srv-0001', plan: 'd8-monthly', quantity: '1', unit: 'month', unit_price: '129.00', amount: '129.00' },
        { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '1234.567', unit: 'GB', amount: '2.35' },
        { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'ssd_extra_gb', quantity: '100', unit: 'GB-month', amount: '10.00' },
        { type: 'usage', server_id: 'srv-0001', plan: 'd8-monthly', meter: 'ip_hours', quantity: '6', unit: 'IP-hour', amount: '0.02' },
        { type: 'base_fee', server_id: 'srv-0002', plan: 'c4-hourly', quantity: '39', unit: 'hour', unit_price: '0.12', amount: '4.68' },
        { type: 'usage', server_id: 'srv-0002', plan: 'c4-hourly', meter: 'requests', quantity: '1500000', unit: 'request', amount: '1.00' },
        { type: 'discount', amount: '-14.71' },
        { type: 'minimum_commit', amount: '367.66' },
      ],
      // No taxes in the example catalogue (SPEC §6 step 7): tax_total 0, the totals equal.
      subtotal: '147.05', total_excluding_tax: '500.00', tax_total: '0.00', total: '500.00',
    },
    {
      customer: 'globex', currency: 'USD', status: 'draft', period: PERIOD,
      lines: [
        { type: 'base_fee', server_id: 'srv-0003', plan: 'c4-hourly', quantity: '360', unit: 'hour', unit_price: '0.12', amount: '43.20' },
        { type: 'usage', server_id: 'srv-0003', plan: 'c4-hourly', meter: 'requests', quantity: '2000001', unit: 'request', amount: '1.50' },
        { type: 'base_fee', server_id: 'srv-0003', plan: 'd8-monthly', quantity: '0.516129032', unit: 'month', unit_price: '149.00', amount: '76.90' },
        { type: 'usage', server_id: 'srv-0003', plan: 'd8-monthly', meter: 'bandwidth_out_gb', quantity: '500', unit: 'GB', amount: '0.00' },
      ],
      subtotal: '121.60', total_excluding_tax: '121.60', tax_total: '0.00', total: '121.60',
    },
  ],
  unattributed: [
    { server_id: 'srv-0002', meter: 'requests', quantity: '1000' },
    { server_id: 'srv-9999', meter: 'cpu_peak_pct', quantity: '50' },
  ],
};

test('bill: the shipped example, whole output', () => {
  const r = bill('--catalog', ex('catalog.yaml'), '--events', ex('samples.ndjson'), '--period', '2026-10');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), EXPECTED);
});

test('bill --nagios: one hour HARD down → 10 % SLA credit, discount and commit follow', () => {
  // web01.example.net → srv-0001 (catalogue hosts). HARD DOWN 10:00 → HARD UP 11:00 on Oct 5
  // (the SOFT state and the service alert do not count): 3600 s of 2 678 400 → 99.8656 %,
  // below 99.9 only → 10 % of 129.00 = −12.90. subtotal = 147.05 − 12.90 = 134.15;
  // discount −13.415 → −13.42; commit 500 − 120.73 = 379.27; total 500.00.
  const r = bill('--catalog', ex('catalog.yaml'), '--events', ex('samples.ndjson'), '--period', '2026-10', '--nagios', ex('nagios.log'));
  assert.equal(r.code, 0, r.stderr);
  const acme = JSON.parse(r.stdout).invoices[0];
  assert.deepEqual(acme.lines.filter((l: { type: string }) => ['sla_credit', 'discount', 'minimum_commit'].includes(l.type)), [
    { type: 'sla_credit', server_id: 'srv-0001', plan: 'd8-monthly', amount: '-12.90' },
    { type: 'discount', amount: '-13.42' },
    { type: 'minimum_commit', amount: '379.27' },
  ]);
  assert.equal(acme.subtotal, '134.15');
  assert.equal(acme.total, '500.00');
});

for (const jobs of ['0', '2']) test(`bill --jobs ${jobs}: split into files, duplicates across files, bad lines reported with file:line, exit 1`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterline-bill-'));
  const lines = readFileSync(ex('samples.ndjson'), 'utf8').trimEnd().split('\n');
  const a = join(dir, 'a.ndjson');
  const b = join(dir, 'b.ndjson');
  writeFileSync(a, lines.slice(0, 6).join('\n') + '\n');
  // b repeats a's last sample (a duplicate id) and carries one malformed and one invalid line.
  writeFileSync(b, [lines[5], '{"id": "broken"', '{"id":"x","server_id":"srv-0001","ts":"yesterday","metrics":{"a":1}}', ...lines.slice(6)].join('\n') + '\n');
  const r = bill('--catalog', ex('catalog.yaml'), '--events', `${a},${b}`, '--period', '2026-10', '--jobs', jobs);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not JSON`));
  assert.match(r.stderr, /b\.ndjson:3: ts "yesterday" is not RFC 3339/);
  assert.match(r.stderr, /2 input line\(s\) rejected/);
  // reported in input order, whatever thread parsed them
  assert.ok(r.stderr.indexOf('b.ndjson:2:') < r.stderr.indexOf('b.ndjson:3:'));
  // Everything else is billed exactly as from the single file.
  assert.deepEqual(JSON.parse(r.stdout), EXPECTED);
});

test('bill --format table prints every line and the totals', () => {
  const r = bill('--catalog', ex('catalog.yaml'), '--events', ex('samples.ndjson'), '--period', '2026-10', '--format', 'table');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^acme {2}USD {2}draft {2}2026-10-01T00:00:00Z – 2026-11-01T00:00:00Z$/m);
  assert.match(r.stdout, /minimum_commit\s+367\.66/);
  assert.match(r.stdout, /total\s+121\.60/);
  assert.match(r.stdout, /srv-9999\s+cpu_peak_pct\s+50\s+1/);
});

test('bill --compare-catalog: both invoices and the difference', () => {
  // what-if: d8-monthly 139.00, bandwidth tier 1 at 0.008. globex's d8 part: 139 × 16/31 =
  // 71.7419… → 71.74, so its total 43.20 + 1.50 + 71.74 + 0.00 = 116.44, 5.16 less.
  const r = bill('--catalog', ex('catalog.yaml'), '--compare-catalog', ex('catalog-what-if.yaml'), '--events', ex('samples.ndjson'), '--period', '2026-10');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const globex = out.comparisons.find((c: { customer: string }) => c.customer === 'globex');
  assert.equal(globex.base.total, '121.60');
  assert.equal(globex.compare.total, '116.44');
  assert.equal(globex.total_difference, '-5.16');
});

test('bill: a bad catalogue is rejected with every problem by path; bad usage exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterline-bill-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(ex('catalog.yaml'), 'utf8').replace('currency: USD            #', 'currency: USDX #').replace('plan: c4-hourly,  from', 'plan: c5, from'));
  const r = bill('--catalog', bad, '--events', ex('samples.ndjson'), '--period', '2026-10');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /currency: unknown ISO 4217 currency code "USDX"/);
  assert.match(r.stderr, /subscriptions\[1\]\.plan: unknown plan "c5"/);
  assert.equal(r.stdout, '');
  const u = bill('--catalog', ex('catalog.yaml'), '--events', ex('samples.ndjson'));
  assert.equal(u.code, 2);
  assert.match(u.stderr, /missing --period/);
  assert.equal(bill('--catalog', ex('catalog.yaml'), '--events', ex('samples.ndjson'), '--period', '2026-13').code, 2);
});

test('bill: a line may hold a JSON array of samples, and CloudEvents are samples too', () => {
  // srv-0002's requests again, as an array line and a CloudEvent: 1 500 000 (ids a1) +
  // 700 000 (ce-1) inside its subscription → 2 200 000 → 3 packages × 0.50 = 1.50; one bad element.
  const dir = mkdtempSync(join(tmpdir(), 'meterline-bill-'));
  const f = join(dir, 'mixed.ndjson');
  writeFileSync(f, [
    JSON.stringify([{ id: 'a1', server_id: 'srv-0002', ts: '2026-10-11T08:00:00Z', metrics: { http_requests: 1500000 } }, { id: 'a2', server_id: 'srv-0002' }]),
    JSON.stringify({ specversion: '1.0', id: 'ce-1', source: 'agent', type: 'meterline.sample', subject: 'srv-0002', time: '2026-10-11T09:00:00Z', data: { metrics: { http_requests: 700000 } } }),
  ].join('\n') + '\n');
  const r = bill('--catalog', ex('catalog.yaml'), '--events', f, '--period', '2026-10');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mixed\.ndjson:1: \[1\]: ts is missing/);
  const acme = JSON.parse(r.stdout).invoices[0];
  assert.deepEqual(acme.lines.find((l: { meter?: string }) => l.meter === 'requests'),
    { type: 'usage', server_id: 'srv-0002', plan: 'c4-hourly', meter: 'requests', quantity: '2200000', unit: 'request', amount: '1.50' });
});
