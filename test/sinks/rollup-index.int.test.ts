// rollup_parts has one B-tree, the primary key (server_id, meter, window_start, part_id), and a
// BRIN on window_start (migration 100). Every read of GET /v1/rollups (sinks/rollup-query.ts) and
// the per-server analyst views must still be served by one of them: with sequential scans
// priced out (enable_seqscan = off), no chunk of rollup_parts may be read by a Seq Scan — a
// query no index can serve would still show one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { rollupSql, type RollupQuery } from '../../sinks/rollup-query.js';
import { freshDb, type FreshDb } from './fresh-db.js';

let db: FreshDb;
before(async () => {
  db = await freshDb('rollup_index');
  // 20 000 one-minute parts of 40 servers × 2 meters over ≈ 14 days: two or three 7-day chunks.
  await db.pool.query(`INSERT INTO rollup_parts (part_id, server_id, meter, window_start, window_end, correction, sample_count, sum)
    SELECT 'raw:0:' || g, 'srv-' || (g % 40), 'm' || (g % 2), timestamptz '2026-10-01' + g * interval '1 minute',
           timestamptz '2026-10-01' + (g + 1) * interval '1 minute', false, 1, g
    FROM generate_series(1, 20000) AS g`);
  await db.pool.query('ANALYZE rollup_parts');
});
after(() => db.drop());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(n: PlanNode): Generator<PlanNode> {
  yield n;
  for (const c of n.Plans ?? []) yield* nodes(c);
}

/** The scans of rollup_parts' chunks in the plan of `text`, and the indexes used. */
async function scans(text: string, values: unknown[] = []): Promise<{ seq: number; indexes: Set<string> }> {
  const client = await db.pool.connect();
  try {
    await client.query('SET enable_seqscan = off');
    const r = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const all = [...nodes((r.rows[0]?.['QUERY PLAN'] ?? [])[0]?.Plan ?? { 'Node Type': 'none' })];
    const onParts = (n: PlanNode) => /^_hyper_|^rollup_parts$/.test(n['Relation Name'] ?? '');
    return {
      seq: all.filter((n) => n['Node Type'] === 'Seq Scan' && onParts(n)).length,
      indexes: new Set(all.flatMap((n) => (n['Index Name'] && /rollup_parts/.test(n['Index Name']) ? [n['Index Name'].replace(/^.*(pkey|brin)$/, '$1')] : []))),
    };
  } finally {
    await client.query('RESET enable_seqscan');
    client.release();
  }
}

const base: RollupQuery = { granularity: 'hour', timezone: 'Europe/Berlin', fromMs: Date.UTC(2026, 9, 5), toMs: Date.UTC(2026, 9, 6) };

const cases: [string, RollupQuery, string][] = [
  ['one server and meter', { ...base, serverId: 'srv-1', meter: 'm1' }, 'pkey'],
  ['one server, every meter', { ...base, serverId: 'srv-1' }, 'pkey'],
  ['every server over a time range', { ...base }, 'brin'],
  ['one meter of every server', { ...base, meter: 'm0' }, 'brin'],
  ['every server, no upper bound', { ...base, toMs: undefined }, 'brin'],
];

for (const [name, q, index] of cases) {
  test(`GET /v1/rollups, ${name}: served by the ${index} index`, async () => {
    const { text, values } = rollupSql(q);
    const s = await scans(text, values);
    assert.equal(s.seq, 0);
    assert.ok(s.indexes.has(index), `indexes used: ${[...s.indexes].join(', ')}`);
  });
}

test('GET /v1/rollups for a customer: the parts side is served by an index', async () => {
  const { text, values } = rollupSql({ ...base, customer: 'acme' });
  const s = await scans(text, values);
  assert.equal(s.seq, 0);
  assert.ok(s.indexes.size > 0);
});

test('the hourly view filtered by server is served by the primary key', async () => {
  const s = await scans(`SELECT * FROM rollups_hourly WHERE server_id = 'srv-1'`);
  assert.equal(s.seq, 0);
  assert.ok(s.indexes.has('pkey'));
});
