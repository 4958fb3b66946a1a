// Exact decimals end to end (SPEC §6 "exact decimals, never binary floating point"): sums of
// decimal metric values, prices with more digits than a double holds, and 64-bit counters
// (§3's "interface byte counters" are 64-bit, e.g. SNMP Counter64).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDec, billOk, catalog, invoice, line, type BillJson } from './harness.js';

const CAT = catalog({
  meters: {
    req: { metric: 'r', kind: 'delta', unit: 'x' },
    fine: { metric: 'f', kind: 'delta', unit: 'x' },
    bytes: { metric: 'nb', kind: 'counter', unit: 'B' },
  },
  plans: {
    p: {
      base_fee: { amount: '1.00', per: 'month' },
      charges: [
        { meter: 'req', model: 'per_unit', unit_price: '1' },
        { meter: 'fine', model: 'per_unit', unit_price: '0.004999999999999999999' },
        { meter: 'bytes', model: 'per_unit', unit_price: '1' },
      ],
    },
  },
  customers: { c: {} },
  subscriptions: [{ server_id: 's1', customer: 'c', plan: 'p', from: '2026-09-01T00:00:00Z' }],
});

// Raw lines, so the numbers reach the CLI exactly as written.
const EVENTS = [
  // delta 0.1 + 0.2 = 0.3 exactly (binary doubles: 0.30000000000000004)
  '{"id":"d1","server_id":"s1","ts":"2026-10-02T00:00:00Z","metrics":{"r":0.1}}',
  '{"id":"d2","server_id":"s1","ts":"2026-10-03T00:00:00Z","metrics":{"r":0.2}}',
  // 1 × 0.004999999999999999999 → 0.00 (a double reads the price as 0.005 → 0.01)
  '{"id":"f1","server_id":"s1","ts":"2026-10-02T00:00:00Z","metrics":{"f":1}}',
  // 64-bit counter: 18446744073709551615 − 18446744073709550000 = 1615
  // (as doubles: 18446744073709551616 − 18446744073709549568 = 2048)
  '{"id":"c1","server_id":"s1","ts":"2026-10-02T00:00:00Z","metrics":{"nb":18446744073709550000}}',
  '{"id":"c2","server_id":"s1","ts":"2026-10-03T00:00:00Z","metrics":{"nb":18446744073709551615}}',
];

let out: BillJson;
before(() => {
  out = billOk({ catalog: CAT, events: [EVENTS], period: '2026-10' });
});

test('decimal metric values add exactly: 0.1 + 0.2 = 0.3', () => {
  assertDec(line(invoice(out, 'c'), 'usage', { meter: 'req' }).quantity, '0.3');
});

test('a unit price with 21 decimals is used exactly: 0.004999999999999999999 → 0.00', () => {
  assert.equal(line(invoice(out, 'c'), 'usage', { meter: 'fine' }).amount, '0.00');
});

test('a 64-bit counter value in the NDJSON is read exactly: increase 1615', () => {
  const l = line(invoice(out, 'c'), 'usage', { meter: 'bytes' });
  assertDec(l.quantity, '1615');
  assert.equal(l.amount, '1615.00');
});
