// The rate role's per-day cache of merged part state must never change an invoice: drafts
// rated with it equal drafts rated from every part, across a plan change inside a day, after
// new parts arrive for cached days, and for late adjustments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { customerInvoiceHeads } from '../../invoicing/db/invoices.js';
import { rateDraft } from '../../invoicing/rate-draft.js';
import { PartCache } from '../../invoicing/part-cache.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { parseCatalog } from '../../catalog/load.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import { rng } from '../e2e/workload.js';
import { PIPELINE_CATALOG } from './workload.js';

let db: FreshDb;
const catalog = parseCatalog(PIPELINE_CATALOG);
const now = () => Date.parse('2026-11-20T00:00:00Z');
const plain: InvoicingContext = { catalog, now };
const cached: InvoicingContext = { catalog, now, partCache: new PartCache() };
const random = rng(5);
let seq = 0;

/** Parts every 20 minutes of October for srv-1 (acme) and srv-3 (beta: plan change at 06:00:30). */
function parts(fromIso: string, toIso: string): RollupPart[] {
  const out: RollupPart[] = [];
  for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += 20 * 60_000) {
    for (const serverId of ['srv-1', 'srv-3']) {
      for (const meter of ['bandwidth_out_gb', 'ssd_extra_gb', 'ip_hours', 'requests']) {
        const v = String(Math.floor(random() * 1_000_000) / 1000);
        out.push({ partId: `c${seq++}`, serverId, meter, windowStartMs: t, windowEndMs: t + 60_000, correction: false, state: { count: 1, sum: v } });
      }
    }
  }
  return out;
}
const store = (ps: RollupPart[]) => insertParts(db.pool, ps.map((part, i) => ({ part, at: { topic: 'usage.rollups', partition: 0, offset: String(i) } })));

async function same(customer: string, label: string): Promise<void> {
  const heads = await customerInvoiceHeads(db.pool, customer);
  const want = await rateDraft(db.pool, plain, customer, label, heads);
  const got = await rateDraft(db.pool, cached, customer, label, heads);
  assert.ok(want);
  assert.deepEqual({ ...got, partIds: [...(got?.partIds ?? [])].sort() }, { ...want, partIds: [...want.partIds].sort() });
}

before(async () => {
  db = await freshDb('part_cache');
  await seedFromCatalog(db.pool, catalog);
});
after(async () => db?.drop());

test('cached drafts equal drafts from every part, before and after new parts', async () => {
  await store(parts('2026-10-01T00:00:00Z', '2026-10-25T00:00:00Z'));
  await same('acme', '2026-10');
  await same('beta', '2026-10'); // srv-3 changes plan at 2026-10-20T06:00:30Z, inside a day
  await same('beta', '2026-10'); // now from the cache
  // 24 days × 4 meters × 2 servers, less srv-3's day with the plan change (read part by part)
  assert.equal(cached.partCache?.size, 24 * 4 * 2 - 4);
  // New parts into already cached days (corrections) and new days.
  await store(parts('2026-10-19T23:00:00Z', '2026-10-31T00:00:00Z'));
  await same('acme', '2026-10');
  await same('beta', '2026-10');
});
