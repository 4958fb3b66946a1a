// The stored copy of issued documents (migration 110, invoicing/documents/issued.ts) against
// real PostgreSQL: finalization stores it in its own transaction; the database refuses a copy
// of a draft and any change of a copy; a final invoice without a copy (finalized before
// migration 110) is frozen at its first render and keeps those details afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../../catalog/load.js';
import type { InvoicingContext } from '../../../invoicing/context.js';
import { listInvoices } from '../../../invoicing/db/invoices.js';
import { insertParts } from '../../../invoicing/db/parts.js';
import { syncAll } from '../../../invoicing/drafts.js';
import { invoiceDocumentFor } from '../../../invoicing/documents/issued.js';
import { finalizePeriod } from '../../../invoicing/finalize.js';
import { seedFromCatalog } from '../../../invoicing/seed.js';
import type { InvoiceJson } from '../../../invoicing/types.js';
import { freshDb, type FreshDb } from '../../sinks/fresh-db.js';
import { at, requestsPart } from '../fixtures.js';

const CATALOG = `
currency: EUR
timezone: UTC
issuer: { name: "Example Hosting GmbH", address: ["Hauptstr. 1"], country: DE, vat_id: DE123456789 }
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "10.00", per: month }
customers:
  acme: { billing: { name: "ACME Corp", address: ["1 Main St"], country: US } }
  beta: { billing: { name: "Beta Ltd", address: ["2 Side St"], country: GB } }
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-10-01T00:00:00Z" }
  - { server_id: srv-2, customer: beta, plan: monthly, from: "2026-10-01T00:00:00Z" }
`;

let db: FreshDb;
const ctx: InvoicingContext = { catalog: parseCatalog(CATALOG), now: () => Date.parse('2026-11-02T00:00:00Z') };

before(async () => {
  db = await freshDb('issued_docs');
  await seedFromCatalog(db.pool, ctx.catalog);
  await insertParts(db.pool, [{ part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '5'), at: at() }]);
  await syncAll(db.pool, ctx);
});
after(async () => db?.drop());

const invoice = async (customer: string): Promise<InvoiceJson> => {
  const [inv] = await listInvoices(db.pool, { customer, period: '2026-10' });
  assert.ok(inv, `${customer} has an invoice of 2026-10`);
  return inv;
};
const rename = (customer: string, name: string) =>
  db.pool.query("UPDATE customers SET billing = jsonb_set(billing, '{name}', to_jsonb($2::text)) WHERE id = $1", [customer, name]);
const refused = (sql: string, values: unknown[] = []) => assert.rejects(db.pool.query(sql, values), /issued document/);

test('a draft has no stored copy (the database refuses one) and prints live details', async () => {
  const draft = await invoice('acme');
  assert.equal(draft.status, 'draft');
  await refused("INSERT INTO issued_documents (invoice_id, model, frozen) VALUES ($1, '{}', 'at_issue')", [draft.id]);
  await rename('acme', 'ACME Draft Name');
  assert.equal((await invoiceDocumentFor(db.pool, ctx.catalog, draft)).customer.name, 'ACME Draft Name');
  await rename('acme', 'ACME Corp');
});

test('finalization stores the copy, which the database keeps unchanged', async () => {
  await finalizePeriod(db.pool, ctx, '2026-10');
  const acme = await invoice('acme');
  const r = await db.pool.query<{ frozen: string; name: string; issuer: string }>(
    "SELECT frozen, model->'customer'->>'name' AS name, model->'issuer'->>'name' AS issuer FROM issued_documents WHERE invoice_id = $1",
    [acme.id],
  );
  assert.deepEqual(r.rows, [{ frozen: 'at_issue', name: 'ACME Corp', issuer: 'Example Hosting GmbH' }]);
  await refused("UPDATE issued_documents SET model = '{}' WHERE invoice_id = $1", [acme.id]);
  await refused('DELETE FROM issued_documents WHERE invoice_id = $1', [acme.id]);
  await refused('TRUNCATE issued_documents');
  await rename('acme', 'ACME Renamed');
  const doc = await invoiceDocumentFor(db.pool, ctx.catalog, acme);
  assert.equal(doc.customer.name, 'ACME Corp');
  assert.equal(doc.number, acme.number);
});

test('a final invoice finalized before migration 110 is frozen at its first render', async () => {
  // Simulate an invoice finalized by the previous release: take its copy away (owner only).
  const beta = await invoice('beta');
  assert.equal(beta.status, 'final');
  await db.pool.query('ALTER TABLE issued_documents DISABLE TRIGGER issued_documents_are_immutable');
  await db.pool.query('DELETE FROM issued_documents WHERE invoice_id = $1', [beta.id]);
  await db.pool.query('ALTER TABLE issued_documents ENABLE TRIGGER issued_documents_are_immutable');

  await rename('beta', 'Beta Holdings');
  // Best knowledge at the first render after the upgrade: today's details, stored from then on.
  assert.equal((await invoiceDocumentFor(db.pool, ctx.catalog, beta)).customer.name, 'Beta Holdings');
  await rename('beta', 'Beta Renamed Again');
  const [first, second] = await Promise.all([invoiceDocumentFor(db.pool, ctx.catalog, beta), invoiceDocumentFor(db.pool, ctx.catalog, beta)]);
  assert.equal(first.customer.name, 'Beta Holdings');
  assert.deepEqual(second, first);
  const r = await db.pool.query<{ frozen: string }>('SELECT frozen FROM issued_documents WHERE invoice_id = $1', [beta.id]);
  assert.deepEqual(r.rows, [{ frozen: 'first_render' }]);
});
