// `meterline migrate` on a database that already holds final invoices (finalized before
// numbering existed): they keep working unnumbered (number null), can be credited (the credit
// note's `invoice` is null), and the first invoice finalized after the upgrade is number 1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../config/env.js';
import { loadMigrations, migrate } from '../../db/migrate.js';
import { createPool } from '../../db/pool.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { catalog } from './fixtures.js';

const base = new URL(loadConfig().database.url);
const at = (db: string) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
const name = `t_numbers_upgrade_${randomBytes(4).toString('hex')}`;
let pool: pg.Pool | undefined;

async function admin(sql: string): Promise<void> {
  const a = new pg.Client({ connectionString: at('postgres') });
  await a.connect();
  try {
    await a.query(sql);
  } finally {
    await a.end();
  }
}
after(async () => {
  await pool?.end();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

test('final invoices from before numbering stay unnumbered and creditable; numbering starts at 1 after the upgrade', async () => {
  await admin(`CREATE DATABASE ${name}`);
  pool = createPool({ url: at(name), ssl: false, poolSize: 2 }, { applicationName: 'test-numbers-upgrade' });
  const all = loadMigrations();
  const client = await pool.connect();
  try {
    await migrate(client, all.filter((m) => m.id < 55));
    // September, finalized by the code of before: a draft with one line, then made final.
    await client.query(`INSERT INTO customers (id, currency, source) VALUES ('acme', 'USD', 'catalog')`);
    await client.query(`INSERT INTO invoices (id, customer, period, period_start, period_end, status, currency, subtotal, total, catalog_hash)
                        VALUES ('inv-old', 'acme', '2026-09', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', 'draft', 'USD', 30.00, 30.00, 'h')`);
    await client.query(`INSERT INTO invoice_lines (invoice_id, n, type, amount, data)
                        VALUES ('inv-old', 1, 'base_fee', 30.00, '{"type":"base_fee","server_id":"srv-1","plan":"monthly","amount":"30.00"}')`);
    await client.query(`UPDATE invoices SET status = 'final', finalized_at = '2026-10-02T00:00:00Z' WHERE id = 'inv-old'`);
    const applied = await migrate(client, all);
    assert.ok(applied.applied.some((m) => m.id === 55) && applied.applied.some((m) => m.id === 56));
  } finally {
    client.release();
  }
  const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-11-02T00:00:00Z') };
  const [old] = await listInvoices(pool, { id: 'inv-old' });
  assert.deepEqual([old?.status, old?.number], ['final', null]);

  const cn = await createCreditNote(pool, ctx, 'inv-old', '{"reason":"legacy","full":true}');
  assert.deepEqual([cn.number, cn.invoice, cn.total], ['CN-2026-000001', null, '-30.00']);

  await seedFromCatalog(pool, ctx.catalog);
  await syncAll(pool, ctx);
  const results = await finalizePeriod(pool, ctx, '2026-10');
  assert.deepEqual(results.map((r) => [r.customer, r.result, r.number]), [['acme', 'finalized', 'ML-2026-000001'], ['beta', 'finalized', 'ML-2026-000002']]);
});
