// The rate benchmark's workload is what it says (speed itself is never asserted in tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchRate } from '../../rating/bench.js';

test('bench rate folds one part per server, hour and meter, and rates every customer', () => {
  // February 2026: 28 days × 24 h = 672 hours; 8 servers × 672 × 3 meters = 16 128 parts.
  // Customers are c0…c99 by server index modulo 100 → 8 customers for 8 servers.
  const r = benchRate({ servers: 8, period: '2026-02', batch: 1000 });
  assert.equal(r.rollups, 16_128);
  assert.equal(r.invoices, 8);
  assert.equal(r.batchLatenciesMs.length, 16);
  // Lines: c4 servers (index 0, 4) base + bandwidth; d8 servers base + 3 usage lines; a discount
  // line on every invoice; a true-up where 1000.00 exceeds subtotal − discount.
  // Each bandwidth state appears 224 times: q = 224 × (12.345678901 + 0.5 + 731.000000007)
  // = 166 621.432075392 GB.
  // d8: 149 + bandwidth (9000 × 0.010 + 156 621.432075392 × 0.005 = 873.107… → 873.11)
  //   + ssd (224 × 1 080 000 GB·s ÷ 2 419 200 s = 100 GB-month × 0.10 = 10.00)
  //   + ip (224 × 6 = 1344 IP-h × 0.004 = 5.376 → 5.38) = 1037.49; discount 5 % → −51.87;
  //   1000 − 985.62 = 14.38 true-up.
  // c4: 672 h × 0.12 = 80.64 + 166 621.43 × 0.01 = 1666.21 → 1746.85, − 87.34 > 1000: none.
  assert.equal(r.lines, 2 * 2 + 6 * 4 + 8 + 6);
  // One server per customer (c0…c7); servers 0 and 4 are c4 (1746.85 − 87.34 = 1659.51, above
  // the commit), the others d8 (985.62 + 14.38 true-up = 1000.00).
  const c4 = '1659.51';
  const d8 = '1000.00';
  assert.deepEqual(r.totals, { c0: c4, c1: d8, c2: d8, c3: d8, c4, c5: d8, c6: d8, c7: d8 });
});
