// Issue 12.1: a 16-digit integer above 2^53 (9007199254740993 = 2^53 + 1, which a double reads
// as 9007199254740992) must reach the invoice exactly, whatever the line looks like — the hand-
// scanned canonical line, a line with spaces, a CloudEvent, a JSON array — with parse workers or
// without, and whether or not an id happens to contain an exponent-like "e1".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog, invoice, line, meterline, tempDir, type BillJson } from './harness.js';

const SERVERS = ['sa', 'sb', 'sc', 'sd', 'se1'];
const CAT = catalog({
  meters: {
    pkts: { metric: 'pkts', kind: 'delta', unit: 'packet' },
    octets: { metric: 'oct', kind: 'counter', unit: 'B' },
  },
  plans: {
    p: {
      base_fee: { amount: '0.00', per: 'month' },
      charges: [
        { meter: 'pkts', model: 'per_unit', unit_price: '1' },
        { meter: 'octets', model: 'per_unit', unit_price: '1' },
      ],
    },
  },
  customers: Object.fromEntries(SERVERS.map((s) => [s, {}])),
  subscriptions: SERVERS.map((s) => ({ server_id: s, customer: s, plan: 'p', from: '2026-10-01T00:00:00Z' })),
});

const D1 = '2026-10-02T00:00:00Z';
const D2 = '2026-10-03T00:00:00Z';
// Per server: pkts 9007199254740993 once (delta); the counter's baseline 9007199254740993,
// then 18446744073709551615 (2^64 − 1).
const EVENTS = [
  // the canonical line (bill's hand-scanned fast path)
  `{"id":"a1","server_id":"sa","ts":"${D1}","metrics":{"pkts":9007199254740993,"oct":9007199254740993}}`,
  `{"id":"a2","server_id":"sa","ts":"${D2}","metrics":{"oct":18446744073709551615}}`,
  // spaces: the full JSON reader
  `{ "id": "b1", "server_id": "sb", "ts": "${D1}", "metrics": { "pkts": 9007199254740993, "oct": 9007199254740993 } }`,
  `{ "id": "b2", "server_id": "sb", "ts": "${D2}", "metrics": { "oct": 18446744073709551615 } }`,
  // CloudEvents
  `{"specversion":"1.0","id":"c1","source":"agent","type":"sample","subject":"sc","time":"${D1}","data":{"metrics":{"pkts":9007199254740993,"oct":9007199254740993}}}`,
  `{"specversion":"1.0","id":"c2","source":"agent","type":"sample","subject":"sc","time":"${D2}","data":{"metrics":{"oct":18446744073709551615}}}`,
  // a JSON array on one line
  `[{"id":"d1","server_id":"sd","ts":"${D1}","metrics":{"pkts":9007199254740993,"oct":9007199254740993}},{"id":"d2","server_id":"sd","ts":"${D2}","metrics":{"oct":18446744073709551615}}]`,
  // ids that look like exponents ("e1") must change nothing
  `{"id":"e1","server_id":"se1","ts":"${D1}","metrics":{"pkts":9007199254740993,"oct":9007199254740993}}`,
  `{"id":"e2","server_id":"se1","ts":"${D2}","metrics":{"oct":18446744073709551615}}`,
];

function run(jobs: string): BillJson {
  const dir = tempDir();
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(CAT));
  writeFileSync(join(dir, 'events.ndjson'), EVENTS.join('\n') + '\n');
  const r = meterline(['bill', '--catalog', join(dir, 'catalog.json'), '--events', join(dir, 'events.ndjson'), '--period', '2026-10', '--jobs', jobs]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as BillJson;
}

for (const jobs of ['0', '2']) {
  test(`--jobs ${jobs}: 9007199254740993 and 2^64 − 1 are billed exactly on every kind of line`, () => {
    const out = run(jobs);
    for (const s of SERVERS) {
      const inv = invoice(out, s);
      const pkts = line(inv, 'usage', { meter: 'pkts' });
      assert.equal(pkts.quantity, '9007199254740993', `${s} pkts`);
      assert.equal(pkts.amount, '9007199254740993.00', `${s} pkts amount`);
      // 18446744073709551615 − 9007199254740993 = 18437736874454810622
      // (check, adding back by groups of three: 622+993 = 1615, 810+740+1 = 1551, 454+254+1 = 709, …)
      const oct = line(inv, 'usage', { meter: 'octets' });
      assert.equal(oct.quantity, '18437736874454810622', `${s} octets`);
      assert.equal(oct.amount, '18437736874454810622.00', `${s} octets amount`);
    }
  });
}
