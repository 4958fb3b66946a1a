// Invoice numbers (SPEC §12.3) against real PostgreSQL: concurrent finalize calls on separate
// connections, a finalization rolled back and one whose connection is terminated mid-way leave
// no gap; numbers restart with a new {YYYY}; every prefix is a sequence of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { parseCatalog } from '../../catalog/load.js';
import { createPool } from '../../db/pool.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { invoiceId } from '../../invoicing/db/invoices.js';
import { syncAll } from '../../invoicing/drafts.js';
import { finalizeCustomerInTransaction, finalizePeriod, type FinalizeResult } from '../../invoicing/finalize.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';

// Five customers, one monthly server each from October 2026 on. Ids chosen so that code-unit
// order (the numbering order) is not the order they are listed in.
const IDS = ['b-2', 'a-1', 'c', 'B', 'a'];
const SORTED = ['B', 'a', 'a-1', 'b-2', 'c'];
const CATALOG = `
currency: EUR
timezone: UTC
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "10.00", per: month }
customers:
${IDS.map((id) => `  ${JSON.stringify(id)}: {}`).join('\n')}
subscriptions:
${IDS.map((id, i) => `  - { server_id: srv-${i}, customer: ${JSON.stringify(id)}, plan: monthly, from: "2026-10-01T00:00:00Z" }`).join('\n')}
`;

let db: FreshDb;
let now = Date.parse('2026-11-02T00:00:00Z');
const ctx: InvoicingContext = { catalog: parseCatalog(CATALOG), now: () => now };
const pools: pg.Pool[] = [];
const pool = (applicationName: string, max = 2) => {
  // The production pool: a connection terminated while checked out must not crash the process.
  const p = createPool({ url: db.url, ssl: false, poolSize: max }, { applicationName });
  pools.push(p);
  return p;
};

before(async () => {
  db = await freshDb('finalize_numbers');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await db?.drop();
});

const numbersOf = async (period: string): Promise<Array<[string, string | null]>> =>
  (await db.pool.query<{ customer: string; number: string | null }>('SELECT customer, number FROM invoices WHERE period = $1', [period])).rows
    .map((r): [string, string | null] => [r.customer, r.number])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
const expected = (format: (k: number) => string, from: number): Array<[string, string]> => SORTED.map((c, i) => [c, format(from + i)]);
const ml = (year: number) => (k: number) => `ML-${year}-${String(k).padStart(6, '0')}`;

test('two concurrent finalize calls on two connections: one numbers all in ascending customer id, the other waits and finds nothing', async () => {
  const results = await Promise.all([finalizePeriod(pool('fin-a'), ctx, '2026-10'), finalizePeriod(pool('fin-b'), ctx, '2026-10')]);
  const kinds = results.map((rs) => [...new Set(rs.map((r) => r.result))].join());
  assert.deepEqual(kinds.sort(), ['already_final', 'finalized']);
  const winner = results.find((rs) => rs[0]!.result === 'finalized')!;
  const loser = results.find((rs) => rs[0]!.result === 'already_final')!;
  assert.deepEqual(winner.map((r) => [r.customer, r.number]), expected(ml(2026), 1));
  assert.deepEqual(loser.map((r) => [r.customer, r.number]), expected(ml(2026), 1)); // the same numbers, not new ones
  assert.deepEqual(await numbersOf('2026-10'), expected(ml(2026), 1));
});

test('a finalization rolled back (e.g. a failed outbox insert in the same transaction) burns no number', async () => {
  now = Date.parse('2026-12-02T00:00:00Z');
  await syncAll(db.pool, ctx);
  const client = await db.pool.connect();
  let taken: FinalizeResult;
  try {
    await client.query('BEGIN');
    taken = await finalizeCustomerInTransaction(client, ctx, 'B', '2026-11');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  assert.equal(taken.number, 'ML-2026-000006');
  assert.deepEqual(await numbersOf('2026-11'), SORTED.map((c) => [c, null]));
});

/** The pid of the backend of `applicationName` once it waits for a lock while holding a counter row. */
async function waitForBlockedNumberHolder(applicationName: string): Promise<number> {
  for (let i = 0; i < 500; i += 1) {
    const { rows } = await db.pool.query<{ pid: number }>(
      `SELECT a.pid FROM pg_stat_activity a
        WHERE a.application_name = $1 AND a.wait_event_type = 'Lock'
          AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = 'document_number_counters'::regclass AND l.mode = 'RowExclusiveLock')`,
      [applicationName],
    );
    if (rows[0]) return rows[0].pid;
    await delay(10); // polling the server's own view: there is no event to await
  }
  throw new Error(`${applicationName} never blocked holding a number`);
}

test('a finalization whose connection is terminated half-way (number taken, not committed) leaves no gap', async () => {
  // Hold the row of customer 'a-1' (third in order) so its finalization stops at the UPDATE that
  // makes it final, after taking its number; 'B' and 'a' are committed by then.
  const blocker = await db.pool.connect();
  const victim = pool('fin-victim');
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE', [invoiceId('a-1', '2026-11')]);
    // Settled into a value at once: the rejection may come before the terminate call returns.
    const run = finalizePeriod(victim, ctx, '2026-11').then(() => undefined, (err: unknown) => err);
    const pid = await waitForBlockedNumberHolder('fin-victim');
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    assert.match(String(await run), /terminat/i);
    await blocker.query('ROLLBACK');
  } finally {
    blocker.release();
  }
  assert.deepEqual((await numbersOf('2026-11')).slice(0, 3), [['B', 'ML-2026-000006'], ['a', 'ML-2026-000007'], ['a-1', null]]);
  const rest = await finalizePeriod(pool('fin-again'), ctx, '2026-11');
  assert.deepEqual(rest.map((r) => r.result), ['already_final', 'already_final', 'finalized', 'finalized', 'finalized']);
  assert.deepEqual(await numbersOf('2026-11'), expected(ml(2026), 6));
});

test('a new {YYYY} restarts at 1; another format prefix is a sequence of its own; credit notes too', async () => {
  now = Date.parse('2027-03-02T00:00:00Z');
  await syncAll(db.pool, ctx);
  await finalizePeriod(db.pool, ctx, '2026-12');
  assert.deepEqual(await numbersOf('2026-12'), expected(ml(2026), 11));
  await finalizePeriod(db.pool, ctx, '2027-01');
  assert.deepEqual(await numbersOf('2027-01'), expected(ml(2027), 1));

  // The issuer changes its format for February: a new sequence from 1; ML-2027- is untouched.
  const issuer = { name: 'Example Hosting GmbH', address: ['Hauptstr. 1'], country: 'DE', invoiceNumber: 'INV/{SEQ:4}', creditNoteNumber: 'CN-{YYYY}-{SEQ:6}' };
  await finalizePeriod(db.pool, { ...ctx, catalog: { ...ctx.catalog, issuer } }, '2027-02');
  assert.deepEqual(await numbersOf('2027-02'), expected((k) => `INV/${String(k).padStart(4, '0')}`, 1));
  // SPEC §12.1: "{YYYY} = year of the period". A credit note issued in 2027 on the 2026-10
  // invoice credits usage of period 2026-10: CN-2026-, the first of that sequence; a credit note
  // on the 2027-01 invoice is CN-2027-, the first of its own.
  const cn = await createCreditNote(db.pool, ctx, invoiceId('c', '2026-10'), '{"reason":"r","full":true}');
  assert.deepEqual([cn.number, cn.invoice, cn.total], ['CN-2026-000001', 'ML-2026-000005', '-10.00']);
  const cn27 = await createCreditNote(db.pool, ctx, invoiceId('c', '2027-01'), '{"reason":"r","full":true}');
  assert.deepEqual([cn27.number, cn27.invoice], ['CN-2027-000001', 'ML-2027-000005']);
  // Back to the default format in March: ML-2027- continues after January's five.
  now = Date.parse('2027-04-02T00:00:00Z');
  await syncAll(db.pool, ctx);
  await finalizePeriod(db.pool, ctx, '2027-03');
  assert.deepEqual(await numbersOf('2027-03'), expected(ml(2027), 6));
});
