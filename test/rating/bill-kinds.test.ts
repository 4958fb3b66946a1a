// Every meter kind of SPEC §3 through bill, end to end, on a hand-made series: each charge is
// per_unit at 1 USD, so each usage line's amount is its quantity rounded to cents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCatalog } from '../../catalog/load.js';
import { billJson } from '../../rating/embedded/output.js';
import { runBill } from '../../rating/embedded/run-bill.js';

const meters: Record<string, string> = {
  bw: '{ metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }',
  cpu_max: '{ metric: cpu, kind: gauge, aggregation: max, unit: "%" }',
  cpu_min: '{ metric: cpu, kind: gauge, aggregation: min, unit: "%" }',
  cpu_avg: '{ metric: cpu, kind: gauge, aggregation: avg, unit: "%" }',
  cpu_last: '{ metric: cpu, kind: gauge, aggregation: latest, unit: "%" }',
  cpu_n: '{ metric: cpu, kind: gauge, aggregation: count, unit: sample }',
  ssd: '{ metric: disk, kind: gauge, aggregation: time_average, unit: GB-month }',
  ips: '{ metric: ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }',
  req: '{ metric: http, kind: delta, unit: request }',
};
const catalog = parseCatalog(`currency: USD
meters:
${Object.entries(meters).map(([k, v]) => `  ${k}: ${v}`).join('\n')}
plans:
  p:
    charges:
${Object.keys(meters).map((k) => `      - { meter: ${k}, model: per_unit, unit_price: "1" }`).join('\n')}
customers: { c: {} }
subscriptions:
  - { server_id: s1, customer: c, plan: p, from: "2026-10-01T00:00:00Z", to: "2026-11-01T00:00:00Z" }
`);

const s = (id: string, ts: string, metrics: Record<string, number>, intervalS?: number) =>
  JSON.stringify({ id, server_id: 's1', ts, ...(intervalS ? { interval_s: intervalS } : {}), metrics });

test('bill: counter reset and out-of-order counter sample, every gauge aggregation, delta', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'meterline-kinds-')), 'k.ndjson');
  writeFileSync(file, [
    // counter: baseline 100 (September: outside the period, still the baseline);
    s('c0', '2026-09-30T23:00:00Z', { net_tx_bytes: 100 }),
    s('c1', '2026-10-02T00:00:00Z', { net_tx_bytes: 1_000_000_100 }), // +1e9
    s('c2', '2026-10-01T12:00:00Z', { net_tx_bytes: 500_000_000 }), //   older than the newest: nothing
    s('c3', '2026-10-03T00:00:00Z', { net_tx_bytes: 200_000_000 }), //   below the previous: reset, +2e8
    s('c4', '2026-10-04T00:00:00Z', { net_tx_bytes: 700_000_000 }), //   +5e8 → 1.7e9 B × 1e-9 = 1.7 GB
    // cpu, arriving out of time order: values 5 (Oct 7), 20 (Oct 5), 50 (Oct 6)
    // → max 50, min 5, avg 25, latest (by ts) 5, count 3
    s('g1', '2026-10-07T00:00:00Z', { cpu: 5 }),
    s('g2', '2026-10-05T10:00:00Z', { cpu: 20 }),
    s('g3', '2026-10-06T00:00:00Z', { cpu: 50 }),
    // time_average: 100 GB × 1 339 200 s ÷ 2 678 400 s (October) = 50 GB-month
    s('t1', '2026-10-10T00:00:00Z', { disk: 100 }, 1_339_200),
    // integral: 3 × 1200 s ÷ 3600 = 1 IP-hour
    s('i1', '2026-10-11T00:00:00Z', { ips: 3 }, 1200),
    // delta: 10 + 32 = 42
    s('d1', '2026-10-12T00:00:00Z', { http: 10 }),
    s('d2', '2026-10-13T00:00:00Z', { http: 32 }),
  ].join('\n') + '\n');
  const { runs } = await runBill({ catalogs: [catalog], period: '2026-10', eventFiles: [file], windowMs: 60_000, onRejected: (r) => assert.fail(r.reason) });
  const inv = (billJson(runs[0]!) as { invoices: Array<{ lines: Array<{ meter: string; quantity: string; amount: string }>; total: string }> }).invoices[0]!;
  assert.deepEqual(Object.fromEntries(inv.lines.map((l) => [l.meter, [l.quantity, l.amount]])), {
    bw: ['1.7', '1.70'], cpu_max: ['50', '50.00'], cpu_min: ['5', '5.00'], cpu_avg: ['25', '25.00'], cpu_last: ['5', '5.00'],
    cpu_n: ['3', '3.00'], ssd: ['50', '50.00'], ips: ['1', '1.00'], req: ['42', '42.00'],
  });
  // 1.70 + 50 + 5 + 25 + 5 + 3 + 50 + 1 + 42 = 182.70
  assert.equal(inv.total, '182.70');
});

test('bill: a 64-bit counter value is read exactly, not through a double', async () => {
  // 18446744073709551615 − 18446744073709550000 = 1615 B → 0.000001615 GB (× 1e-9) → 0.00 USD;
  // as doubles the two readings differ by 2048.
  const file = join(mkdtempSync(join(tmpdir(), 'meterline-kinds-')), 'c.ndjson');
  writeFileSync(file, [
    '{"id":"a","server_id":"s1","ts":"2026-10-02T00:00:00Z","metrics":{"net_tx_bytes":18446744073709550000}}',
    '{"id":"b","server_id":"s1","ts":"2026-10-03T00:00:00Z","metrics":{"net_tx_bytes":18446744073709551615}}',
  ].join('\n') + '\n');
  for (const parseWorkers of [0, 1]) {
    const { runs } = await runBill({ catalogs: [catalog], period: '2026-10', eventFiles: [file], windowMs: 86_400_000, parseWorkers, onRejected: (r) => assert.fail(r.reason) });
    const inv = (billJson(runs[0]!) as { invoices: Array<{ lines: Array<{ meter: string; quantity: string }> }> }).invoices[0]!;
    assert.equal(inv.lines.find((l) => l.meter === 'bw')?.quantity, '0.000001615');
  }
});
