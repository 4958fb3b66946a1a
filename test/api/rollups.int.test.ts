// The rollup store and GET /v1/rollups against a fresh TimescaleDB database: parts stored once
// (a replay changes nothing), corrections merged, re-bucketing in a non-UTC catalogue zone,
// each aggregation's bucket value, CSV, the customer filter and the analyst views.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import type { RollupPart, RollupState } from '../../pipeline/aggregation/rollup.js';
import { storeParts } from '../../sinks/store.js';
import { syncCatalog } from '../../sinks/catalog-sync.js';
import { rollupsRoute } from '../../api/routes/rollups.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

const CATALOG = parseCatalog(`
currency: EUR
timezone: Europe/Berlin
meters:
  requests:  { metric: http_requests, kind: delta, unit: request }
  cpu_peak:  { metric: cpu, kind: gauge, aggregation: max, unit: "%" }
  cpu_mean:  { metric: cpu, kind: gauge, aggregation: avg, unit: "%" }
  cpu_last:  { metric: cpu, kind: gauge, aggregation: latest, unit: "%" }
  ssd:       { metric: disk_gb, kind: gauge, aggregation: time_average, unit: GB-month }
plans:
  p: { base_fee: { amount: "1.00", per: month } }
customers:
  acme: {}
  other: {}
subscriptions:
  - { server_id: srv-1, customer: acme, plan: p, from: "2026-10-01T00:01:00Z" }
  - { server_id: srv-2, customer: other, plan: p, from: "2026-09-01T00:00:00Z" }
`);

const T0 = Date.parse('2026-10-01T00:00:00Z');
const MIN = 60_000;
let seq = 0;
const part = (
  serverId: string,
  meter: string,
  startMs: number,
  state: RollupState,
  correction = false,
): RollupPart => ({
  partId: `metrics.raw:0:${seq++}:${meter}:${startMs}`,
  serverId,
  meter,
  windowStartMs: startMs,
  windowEndMs: startMs + MIN,
  correction,
  state,
  source: { topic: 'metrics.raw', partition: 0, firstOffset: String(seq), lastOffset: String(seq + 1) },
});

const PARTS: RollupPart[] = [
  part('srv-1', 'requests', T0, { count: 2, sum: '5' }),
  part('srv-1', 'requests', T0, { count: 1, sum: '3' }, true),
  part('srv-1', 'requests', T0 + MIN, { count: 1, sum: '2.5' }),
  part('srv-1', 'cpu_peak', T0, { count: 2, sum: '0', max: '7' }),
  part('srv-1', 'cpu_peak', T0, { count: 1, sum: '0', max: '9.5' }, true),
  part('srv-1', 'cpu_mean', T0, { count: 3, sum: '30' }),
  part('srv-1', 'cpu_mean', T0, { count: 1, sum: '5' }, true),
  part('srv-1', 'cpu_last', T0, { count: 1, sum: '0', latest: '4', latestTsMs: T0 + 30_000 }),
  part('srv-1', 'cpu_last', T0, { count: 1, sum: '0', latest: '2', latestTsMs: T0 + 10_000 }, true),
  part('srv-1', 'ssd', T0, { count: 1, sum: '12000' }),
  part('srv-2', 'requests', T0 + MIN, { count: 1, sum: '1' }),
];

let db: FreshDb;
let app: ReturnType<typeof rollupsRoute>;

before(async () => {
  db = await freshDb('rollups_api');
  await syncCatalog(db.pool, CATALOG);
  await db.pool.query(
    `INSERT INTO customers (id, currency, source) VALUES ('acme', 'EUR', 'catalog'), ('other', 'EUR', 'catalog')`,
  );
  for (const s of CATALOG.subscriptions) {
    await db.pool.query(
      `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, valid_to, source) VALUES ($1, $2, $3, $4, $5, $6, 'catalog')`,
      [
        s.id,
        s.serverId,
        s.customer,
        s.plan,
        new Date(s.fromMs),
        s.toMs === undefined ? null : new Date(s.toMs),
      ],
    );
  }
  app = rollupsRoute({ pool: db.pool, catalog: CATALOG });
});
after(async () => db?.drop());

const get = async (query: string, accept = 'application/json') => {
  const res = await app.request(`/v1/rollups?${query}`, { headers: { accept } });
  return {
    status: res.status,
    body:
      accept === 'text/csv'
        ? await res.text()
        : ((await res.json()) as { rollups: Record<string, string>[] }),
  };
};

test('storing parts is idempotent: a replayed batch inserts nothing', async () => {
  const client = await db.pool.connect();
  try {
    const first = await storeParts(
      client,
      PARTS.map((p) => ({ part: p, origin: { topic: 'usage.rollups', partition: 0, offset: '7' } })),
    );
    assert.deepEqual(first, { offered: PARTS.length, inserted: PARTS.length, skipped: 0, poison: [] });
    const again = await storeParts(
      client,
      [...PARTS, ...PARTS].map((p) => ({ part: p })),
    );
    assert.deepEqual(again, { offered: 2 * PARTS.length, inserted: 0, skipped: 0, poison: [] });
  } finally {
    client.release();
  }
  const { rows } = await db.pool.query<{ n: string; s: string }>(
    `SELECT count(*) AS n, sum(sum)::text AS s FROM rollup_parts WHERE meter = 'requests'`,
  );
  assert.deepEqual(rows[0], { n: '4', s: '11.5' }); // 5 + 3 + 2.5 + 1, each once
});

test('hour buckets in the catalogue zone merge parts the way each meter aggregates', async () => {
  const { status, body } = await get(
    'from=2026-09-30T00:00:00Z&to=2026-10-02T00:00:00Z&granularity=hour&server_id=srv-1',
  );
  assert.equal(status, 200);
  // Berlin is UTC+2 on 1 Oct 2026: the local hour 02:00–03:00 starts at 00:00Z.
  const b = '2026-10-01T00:00:00Z';
  assert.deepEqual((body as { rollups: unknown[] }).rollups, [
    { bucket: b, server_id: 'srv-1', meter: 'cpu_last', value: '4', unit: '%' }, // newest ts (00:00:30) wins over the later-arriving correction
    { bucket: b, server_id: 'srv-1', meter: 'cpu_mean', value: '8.75', unit: '%' }, // (30 + 5) / (3 + 1)
    { bucket: b, server_id: 'srv-1', meter: 'cpu_peak', value: '9.5', unit: '%' },
    { bucket: b, server_id: 'srv-1', meter: 'requests', value: '10.5', unit: 'request' }, // 5 + 3 + 2.5
    // 12000 value-seconds ÷ October in Berlin (31 d + 1 h for the DST change = 2 682 000 s)
    // = 2/447 = 0.0044742729306…, half-up at 12 digits.
    { bucket: b, server_id: 'srv-1', meter: 'ssd', value: '0.004474272931', unit: 'GB-month' },
  ]);
});

test('minute, day and month buckets; sorted by bucket, server, meter', async () => {
  const minute = (
    await get('from=2026-10-01T00:00:00Z&to=2026-10-01T00:02:00Z&granularity=minute&meter=requests')
  ).body as { rollups: Record<string, string>[] };
  assert.deepEqual(
    minute.rollups.map((r) => [r.bucket, r.server_id, r.value]),
    [
      ['2026-10-01T00:00:00Z', 'srv-1', '8'],
      ['2026-10-01T00:01:00Z', 'srv-1', '2.5'],
      ['2026-10-01T00:01:00Z', 'srv-2', '1'],
    ],
  );
  // The Berlin day and month of 1 Oct 2026 start at 30 Sep 22:00Z.
  for (const g of ['day', 'month']) {
    const r = (await get(`from=2026-09-01T00:00:00Z&granularity=${g}&meter=requests`)).body as {
      rollups: Record<string, string>[];
    };
    assert.deepEqual(
      r.rollups.map((x) => [x.bucket, x.server_id, x.value]),
      [
        ['2026-09-30T22:00:00Z', 'srv-1', '10.5'],
        ['2026-09-30T22:00:00Z', 'srv-2', '1'],
      ],
    );
  }
});

test("customer= keeps only parts inside that customer's subscriptions", async () => {
  // acme's subscription of srv-1 starts at 00:01Z: the 00:00 window is not theirs.
  const r = (await get('from=2026-10-01T00:00:00Z&granularity=minute&meter=requests&customer=acme')).body as {
    rollups: Record<string, string>[];
  };
  assert.deepEqual(
    r.rollups.map((x) => [x.bucket, x.server_id, x.value]),
    [['2026-10-01T00:01:00Z', 'srv-1', '2.5']],
  );
});

test('Accept: text/csv gives CSV with a header', async () => {
  const { status, body } = await get(
    'from=2026-10-01T00:00:00Z&granularity=minute&meter=requests&server_id=srv-2',
    'text/csv',
  );
  assert.equal(status, 200);
  assert.equal(
    body,
    'bucket,server_id,meter,value,unit\r\n2026-10-01T00:01:00Z,srv-2,requests,1,request\r\n',
  );
});

test('bad parameters are named in a 400', async () => {
  const res = await app.request('/v1/rollups?granularity=week&from=yesterday&meter=nope');
  assert.equal(res.status, 400);
  const body = (await res.json()) as { problems: { path: string }[] };
  assert.deepEqual(body.problems.map((p) => p.path).sort(), ['from', 'granularity', 'meter']);
});

test('analyst views give the same values as the API', async () => {
  const { rows } = await db.pool.query<{ meter: string; value: string }>(
    `SELECT meter, value::text FROM rollups_hourly WHERE server_id = 'srv-1' ORDER BY meter`,
  );
  assert.deepEqual(rows, [
    { meter: 'cpu_last', value: '4' },
    { meter: 'cpu_mean', value: '8.750000000000' },
    { meter: 'cpu_peak', value: '9.5' },
    { meter: 'requests', value: '10.5' },
    { meter: 'ssd', value: '0.004474272931' },
  ]);
  const cust = await db.pool.query<{ customer: string; value: string }>(
    `SELECT customer, value::text FROM rollups_customer_monthly WHERE meter = 'requests' ORDER BY customer`,
  );
  assert.deepEqual(cust.rows, [
    { customer: 'acme', value: '2.5' },
    { customer: 'other', value: '1' },
  ]);
});

test('meterline_readonly reads the rollups and views, and nothing else; it cannot write', async () => {
  const client = await db.pool.connect();
  try {
    await client.query('SET ROLE meterline_readonly');
    const daily = await client.query(`SELECT count(*)::int AS n FROM rollups_daily`);
    assert.ok((daily.rows[0] as { n: number }).n > 0);
    const cust = await client.query(`SELECT count(*)::int AS n FROM rollups_customer_daily`);
    assert.ok((cust.rows[0] as { n: number }).n > 0, 'customer views work without a grant on subscriptions');
    await assert.rejects(client.query('SELECT * FROM subscriptions'), /permission denied/);
    await assert.rejects(client.query('SELECT * FROM invoices'), /permission denied/);
    await assert.rejects(client.query(`DELETE FROM rollup_parts`), /permission denied/);
  } finally {
    await client.query('RESET ROLE');
    client.release();
  }
});
