// GET /v1/rollups without a database: query validation, defaults, values per aggregation,
// period seconds and CSV quoting (the SQL side is in rollups.int.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { bucketValue, parseRollupQuery, periodSecondsAt, rollupsCsv } from '../../api/routes/rollups.js';

const CATALOG = parseCatalog(`
currency: USD
timezone: America/New_York
meters:
  ssd:  { metric: disk_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  mean: { metric: cpu, kind: gauge, aggregation: avg, unit: "%" }
  req:  { metric: r, kind: delta, unit: request }
plans: { p: { base_fee: { amount: "1.00", per: month } } }
`);

test('defaults: hour buckets from the start of the current billing period in the catalogue zone', () => {
  const now = Date.parse('2026-11-15T12:00:00Z');
  const q = parseRollupQuery({}, CATALOG, now);
  // November 2026 in New York starts at 04:00Z (EDT ends 1 Nov at 06:00Z, after midnight local).
  assert.deepEqual(q, {
    granularity: 'hour',
    timezone: 'America/New_York',
    fromMs: Date.parse('2026-11-01T04:00:00Z'),
  });
});

test('every bad parameter is named', () => {
  const r = parseRollupQuery(
    { granularity: 'week', from: '2026-13-01T00:00:00Z', to: 'x', meter: 'nope' },
    CATALOG,
    0,
  );
  assert.ok(Array.isArray(r));
  assert.deepEqual((r as { path: string }[]).map((p) => p.path).sort(), [
    'from',
    'granularity',
    'meter',
    'to',
  ]);
  const order = parseRollupQuery({ from: '2026-10-02T00:00:00Z', to: '2026-10-01T00:00:00Z' }, CATALOG, 0);
  assert.deepEqual(
    (order as { path: string }[]).map((p) => p.path),
    ['to'],
  );
});

test('epoch milliseconds are accepted for from/to', () => {
  const q = parseRollupQuery(
    {
      from: '1790812800000',
      to: '1790816400000',
      server_id: 's',
      meter: 'req',
      customer: 'c',
      granularity: 'minute',
    },
    CATALOG,
    0,
  );
  assert.deepEqual(q, {
    granularity: 'minute',
    timezone: 'America/New_York',
    fromMs: 1790812800000,
    toMs: 1790816400000,
    serverId: 's',
    meter: 'req',
    customer: 'c',
  });
});

test('seconds of the billing month, DST included', () => {
  // November 2026 in New York: 30 days + 1 hour (clocks go back on 1 Nov).
  assert.equal(periodSecondsAt(Date.parse('2026-11-20T00:00:00Z'), 'America/New_York'), 30 * 86_400 + 3600);
  assert.equal(periodSecondsAt(Date.parse('2026-02-10T00:00:00Z'), 'UTC'), 28 * 86_400);
});

test('bucket values: time_average per month share, avg sample-weighted, quotients at 12 digits', () => {
  const b = (state: { count: number; sum: string }) => ({
    bucketMs: Date.parse('2026-02-10T05:00:00Z'),
    serverId: 's',
    meter: 'x',
    state,
  });
  // 100 GB for the whole of February (28 d, EST all month) = 100 × 2 419 200 value-seconds → 100.
  assert.equal(
    bucketValue(CATALOG.meters.ssd, b({ count: 1, sum: String(100 * 28 * 86_400) }), 'America/New_York'),
    '100',
  );
  // One hour of 100 GB: 360 000 / 2 419 200 = 0.148809523809|52… → 0.148809523810, shown without its trailing 0.
  assert.equal(
    bucketValue(CATALOG.meters.ssd, b({ count: 1, sum: '360000' }), 'America/New_York'),
    '0.14880952381',
  );
  // (10 + 20 + 25) / 3 = 18.333… → 18.333333333333.
  assert.equal(bucketValue(CATALOG.meters.mean, b({ count: 3, sum: '55' }), 'UTC'), '18.333333333333');
  assert.equal(
    bucketValue(CATALOG.meters.req, b({ count: 2, sum: '0.000000000001' }), 'UTC'),
    '0.000000000001',
  );
  // A meter no longer in the catalogue shows its sum.
  assert.equal(bucketValue(undefined, b({ count: 2, sum: '7.5' }), 'UTC'), '7.5');
});

test('CSV quotes fields with commas and quotes', () => {
  assert.equal(
    rollupsCsv([
      { bucket: '2026-10-01T00:00:00Z', server_id: 'srv,"1"', meter: 'm', value: '1.5', unit: 'GB' },
    ]),
    'bucket,server_id,meter,value,unit\r\n2026-10-01T00:00:00Z,"srv,""1""",m,1.5,GB\r\n',
  );
});
