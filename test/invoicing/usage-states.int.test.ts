// Differential test of the incremental rate path (issue 11 item 6): drafts rated from the
// running usage state rows must equal drafts rated from every stored part, for every kind and
// aggregation, with on-time parts, late corrections, replayed (duplicate) parts, subscriptions
// that start/end/change customer inside a day, usage nobody subscribes, and a zone with a DST
// change inside the month. Half the parts are stored before the state is built (the build path),
// half after (the per-insert merge path). The reference is the full recompute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { parseCatalog } from '../../catalog/load.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { ensureStates, monthStates } from '../../invoicing/db/usage-states.js';
import { withTransaction } from '../../invoicing/db/tx.js';
import { rateDraft } from '../../invoicing/rate-draft.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { mergeStates, sampleState } from '../../pipeline/aggregation/state.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { parsePeriod } from '../../rating/period.js';
import { at } from './fixtures.js';

const METERS = ['requests', 'bandwidth_gb', 'cpu_peak', 'cpu_low', 'cpu_avg', 'disk_latest', 'ip_hours', 'ssd_gb_month', 'samples', 'dcs'];
const catalog = parseCatalog(`
currency: EUR
timezone: Europe/Berlin
meters:
  requests:     { metric: http_requests, kind: delta, unit: request }
  bandwidth_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak:     { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
  cpu_low:      { metric: cpu_util_pct, kind: gauge, aggregation: min, unit: "%" }
  cpu_avg:      { metric: cpu_util_pct, kind: gauge, aggregation: avg, unit: "%" }
  disk_latest:  { metric: disk_gb, kind: gauge, aggregation: latest, unit: GB }
  ip_hours:     { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  ssd_gb_month: { metric: disk_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  samples:      { metric: power_on, kind: gauge, aggregation: count, unit: sample }
  dcs:          { metric: power_on, kind: gauge, aggregation: unique, label: dc, unit: dc }
plans:
  p:
    base_fee: { amount: "10.00", per: month }
    charges:
${METERS.map((m) => `      - { meter: ${m}, model: per_unit, unit_price: "0.0137" }`).join('\n')}
customers:
  acme: {}
  beta: {}
subscriptions:
  - { server_id: srv-a, customer: acme, plan: p, from: "2026-09-01T00:00:00Z" }
  - { server_id: srv-b, customer: acme, plan: p, from: "2026-10-10T12:30:00Z", to: "2026-10-20T03:00:00Z" }
  - { server_id: srv-c, customer: acme, plan: p, from: "2026-10-01T00:00:00Z", to: "2026-10-15T08:00:00Z" }
  - { server_id: srv-c, customer: beta, plan: p, from: "2026-10-15T08:00:00Z" }
  - { server_id: srv-e, customer: beta, plan: p, from: "2026-10-05T06:00:00Z" }
`);

let db: FreshDb;
const full: InvoicingContext = { catalog, now: () => Date.parse('2026-11-02T00:00:00Z') };
const incremental: InvoicingContext = { ...full, usageStates: true };

// A small deterministic PRNG (mulberry32) so a failure is reproducible.
let seed = 20261204;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const decimal = (): string => `${Math.floor(rand() * 10_000)}.${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;

const FROM = Date.parse('2026-09-29T00:00:00Z');
const TO = Date.parse('2026-11-02T00:00:00Z');
let ids = 0;
function randomPart(): RollupPart {
  const meter = catalog.meters[pick(METERS)]!;
  const start = FROM + Math.floor((rand() * (TO - FROM)) / 60_000) * 60_000;
  // Several samples per part, merged the way the aggregator merges them; latest ties on ts.
  let state = sampleState(meter, { value: decimal(), tsMs: start + 10_000, labels: { dc: pick(['fra1', 'ams2', 'par3']) } });
  for (let k = Math.floor(rand() * 3); k > 0; k--) {
    const s = sampleState(meter, { value: decimal(), intervalS: pick(['30', '60']), tsMs: start + pick([10_000, 40_000]), labels: { dc: pick(['fra1', 'lon4']) } });
    state = mergeStates(state, s);
  }
  ids += 1;
  return { partId: `diff-${ids}`, serverId: pick(['srv-a', 'srv-b', 'srv-c', 'srv-d']), meter: meter.name, windowStartMs: start, windowEndMs: start + 60_000, correction: false, state };
}
/** A late correction of an emitted window: another part of the same window and series. */
const correctionOf = (p: RollupPart): RollupPart => ({ ...randomPart(), serverId: p.serverId, meter: p.meter, windowStartMs: p.windowStartMs, windowEndMs: p.windowEndMs, correction: true });

const store = (ps: readonly RollupPart[]) => insertParts(db.pool, ps.map((part) => ({ part, at: at() })));

before(async () => {
  db = await freshDb('usage_states');
  await seedFromCatalog(db.pool, catalog);
});
after(async () => db?.drop());

test('a hand-worked series: the month row merges its parts once each (latest: newest ts, ties to the greater value)', async () => {
  const cpu = catalog.meters['disk_latest']!;
  const t = Date.parse('2026-08-10T10:00:00Z');
  const part = (id: string, value: string, tsMs: number): RollupPart => ({
    partId: id, serverId: 'srv-x', meter: 'disk_latest', windowStartMs: t, windowEndMs: t + 60_000, correction: id !== 'w1', state: sampleState(cpu, { value, tsMs }),
  });
  await withTransaction(db.pool, (c) => ensureStates(c, catalog.timezone));
  // ts 100 s → 5; ts 200 s → 3 and 4 (a tie on the newest ts: the greater value, 4, wins).
  await store([part('w1', '5', t + 100_000), part('w2', '3', t + 200_000)]);
  await store([part('w3', '4', t + 200_000), part('w2', '3', t + 200_000)]); // w2 replayed: nothing changes
  const [row] = await monthStates(db.pool, catalog.timezone, ['srv-x'], parsePeriod('2026-08', catalog.timezone).startMs);
  assert.equal(row?.state.count, 3);
  assert.equal(Number(row?.state.latest), 4);
  assert.equal(row?.state.latestTsMs, t + 200_000);
});

test('drafts from the running state equal drafts from every part, for every aggregation', async () => {
  const parts: RollupPart[] = [];
  for (let i = 0; i < 3000; i++) parts.push(randomPart());
  for (let i = 0; i < 300; i++) parts.push(correctionOf(pick(parts)));
  // Boundary minutes: the subscription edges, the period edges in Berlin time and the DST change.
  for (const iso of ['2026-10-10T12:29:00Z', '2026-10-10T12:30:00Z', '2026-10-20T02:59:00Z', '2026-10-20T03:00:00Z', '2026-10-15T07:59:00Z',
    '2026-10-15T08:00:00Z', '2026-09-30T21:59:00Z', '2026-09-30T22:00:00Z', '2026-10-31T22:59:00Z', '2026-10-31T23:00:00Z', '2026-10-25T00:59:00Z', '2026-10-25T01:00:00Z']) {
    for (const server of ['srv-a', 'srv-b', 'srv-c']) parts.push({ ...randomPart(), serverId: server, windowStartMs: Date.parse(iso), windowEndMs: Date.parse(iso) + 60_000 });
  }
  // srv-e's only parts: one minute before its subscription starts and the first minute of it,
  // so the boundary is the newest window of its rows (only the second part is billed).
  for (const iso of ['2026-10-05T05:59:00Z', '2026-10-05T06:00:00Z']) parts.push({ ...randomPart(), serverId: 'srv-e', meter: 'requests', windowStartMs: Date.parse(iso), windowEndMs: Date.parse(iso) + 60_000 });
  const half = Math.floor(parts.length / 2);
  await store(parts.slice(0, half));
  // Built already (first test); dropping the marker makes the next start rebuild every row from the parts.
  assert.equal(await withTransaction(db.pool, (c) => ensureStates(c, 'Europe/Berlin')), 'present');
  await db.pool.query('DELETE FROM rating_state_zones');
  assert.equal(await withTransaction(db.pool, (c) => ensureStates(c, 'Europe/Berlin')), 'built');
  for (let i = half; i < parts.length; i += 250) await store(parts.slice(i, i + 250));
  await store(parts.filter((_, i) => i % 7 === 0)); // replays of both halves

  const period = parsePeriod('2026-10', catalog.timezone);
  const rows = await monthStates(db.pool, catalog.timezone, ['srv-a', 'srv-b', 'srv-c', 'srv-d'], period.startMs);
  assert.equal(rows.length, 4 * METERS.length, 'a month row per (server, meter): the state was built and merged');
  for (const customer of ['acme', 'beta']) {
    const want = await rateDraft(db.pool, full, customer, '2026-10', []);
    const got = await rateDraft(db.pool, incremental, customer, '2026-10', []);
    assert.ok(want && got);
    const usage = want.lines.filter((l) => l.json.type === 'usage');
    assert.ok(usage.length >= METERS.length, `${customer}: every meter has usage (${usage.length} lines)`);
    assert.deepEqual(got.lines.map((l) => l.json), want.lines.map((l) => l.json), customer);
    assert.equal(got.total, want.total);
  }
});
