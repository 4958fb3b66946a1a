// Issued documents never change (SPEC §12, §12.4, §12.5) against a fresh database: a final
// invoice and a credit note are issued; then the customer's billing details and tax change
// through PUT /v1/customers/:id and the catalogue's issuer, tax name and prices change (a second
// API mounted on the same database with the new catalogue, as after a restart). The final
// invoice's and the credit note's JSON, HTML and PDF still print the old details; a new draft
// prints the new ones. Every expected string is written by hand from the two catalogues below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { parseCatalog } from '../../catalog/load.js';
import { cachedKeyLookup, issueKey, memoryKeyStore, type KeyLookup } from '../../api/auth/index.js';
import { mountApi } from '../../api/role.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { at, requestsPart } from '../invoicing/fixtures.js';
import { pdfText } from '../invoicing/documents/pdf-text.js';

const catalogText = (issuer: string, taxName: string, unitPrice: string) => `
currency: USD
timezone: Europe/Berlin
issuer: ${issuer}
taxes:
  de-vat: { rate: "19", name: "${taxName}" }
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
    charges:
      - { meter: requests, model: per_unit, free_units: "100", unit_price: "${unitPrice}" }
customers:
  acme:
    billing: { name: "ACME Corp", address: ["1 Main St", "Springfield"], country: US, vat_id: US1111 }
    tax: de-vat
  kunde:
    billing: { name: "Kunde AG", address: ["Ring 1", "1010 Wien"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-09-30T22:00:00Z" }
  - { server_id: srv-2, customer: kunde, plan: monthly, from: "2026-09-30T22:00:00Z" }
`;
const OLD_ISSUER = '{ name: "Example Hosting GmbH", address: ["Hauptstr. 1", "10115 Berlin"], country: DE, vat_id: DE123456789 }';
const NEW_ISSUER = '{ name: "Newco Hosting SE", address: ["Neuer Weg 9", "80331 Muenchen"], country: DE, vat_id: DE999999999 }';

/** What the issued documents printed, and what must appear only on documents issued later. */
const OLD = ['Example Hosting GmbH', 'Hauptstr. 1', 'VAT ID: DE123456789', 'ACME Corp', '1 Main St', 'VAT ID: US1111', 'USt.', '0.01'];
const NEW = ['Newco Hosting SE', 'Neuer Weg 9', 'VAT ID: DE999999999', 'ACME Holdings Ltd', '7 Harbour Rd', 'VAT ID: GB222', 'MwSt.', '0.02'];
const REVERSE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient';

let db: FreshDb;
let lookup: KeyLookup;
let finance = '';
let now = Date.parse('2026-10-20T00:00:00Z');

function api(catalogYaml: string): { app: Hono; ctx: InvoicingContext } {
  const app = new Hono();
  const ctx = mountApi(app, { pool: db.pool, catalog: parseCatalog(catalogYaml), lookup, now: () => now });
  return { app, ctx };
}

before(async () => {
  db = await freshDb('issued_documents');
  await seedFromCatalog(db.pool, parseCatalog(catalogText(OLD_ISSUER, 'USt.', '0.01')));
  const store = memoryKeyStore();
  finance = (await issueKey(store, { role: 'finance' })).secret;
  lookup = cachedKeyLookup(store, { ttlMs: 0 });
});
after(async () => db?.drop());

const call = (app: Hono, method: string, path: string, opts: { accept?: string; body?: unknown } = {}) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${finance}`, ...(opts.accept ? { accept: opts.accept } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
  });
async function json<T>(r: Response | Promise<Response>): Promise<T> {
  const res = await r;
  assert.ok(res.status < 300, `status ${res.status}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}
interface Inv {
  id: string;
  status: string;
  period: { start: string };
}
const invoiceOf = async (app: Hono, customer: string, period: string) => {
  const { invoices } = await json<{ invoices: Inv[] }>(call(app, 'GET', `/v1/invoices?customer=${customer}&period=${period}`));
  assert.equal(invoices.length, 1, `${customer} has one invoice of ${period}`);
  return invoices[0]!;
};
/** The HTML's text with tags removed, and the PDF's text items joined, of one document path. */
async function printed(app: Hono, path: string): Promise<{ html: string; pdf: string }> {
  const html = await (await call(app, 'GET', path, { accept: 'text/html' })).text();
  const pdf = await pdfText(new Uint8Array(await (await call(app, 'GET', `${path}.pdf`)).arrayBuffer()));
  return { html: html.replace(/<[^>]*>/g, ' '), pdf: pdf.items.join(' | ') };
}
function shows(doc: { html: string; pdf: string }, yes: readonly string[], no: readonly string[], what: string) {
  for (const form of ['html', 'pdf'] as const) {
    for (const s of yes) assert.ok(doc[form].includes(s), `${what} (${form}) prints ${JSON.stringify(s)}`);
    for (const s of no) assert.ok(!doc[form].includes(s), `${what} (${form}) does not print ${JSON.stringify(s)}`);
  }
}

test('a final invoice and a credit note keep the issuer, billing details, tax name and prices they were issued with; a new draft shows the new ones', async () => {
  const first = api(catalogText(OLD_ISSUER, 'USt.', '0.01'));
  await insertParts(db.pool, [
    { part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '250'), at: at() },
    { part: requestsPart('srv-2', '2026-10-03T10:00:00Z', '100'), at: at() },
  ]);
  await syncAll(db.pool, first.ctx);
  now = Date.parse('2026-11-02T00:00:00Z');
  await json(call(first.app, 'POST', '/v1/invoices/finalize?period=2026-10'));
  const acme = await invoiceOf(first.app, 'acme', '2026-10');
  const kunde = await invoiceOf(first.app, 'kunde', '2026-10');
  assert.equal(acme.status, 'final');
  const note = await json<{ id: string }>(call(first.app, 'POST', `/v1/invoices/${acme.id}/credit-notes`, { body: { reason: 'goodwill', full: true } }));

  const invoiceJsonBefore = await json<unknown>(call(first.app, 'GET', `/v1/invoices/${acme.id}`));
  const noteJsonBefore = await json<unknown>(call(first.app, 'GET', `/v1/credit-notes/${note.id}`));
  shows(await printed(first.app, `/v1/invoices/${acme.id}`), OLD, NEW, 'the final invoice as issued');

  // The changes: the customer through the API, the issuer, tax name and price in the catalogue.
  await json(call(first.app, 'PUT', '/v1/customers/acme', { body: { currency: 'USD', tax: 'de-vat', billing: { name: 'ACME Holdings Ltd', address: ['7 Harbour Rd', 'London'], country: 'GB', vat_id: 'GB222' } } }));
  await json(call(first.app, 'PUT', '/v1/customers/kunde', { body: { currency: 'USD', tax: 'de-vat', billing: { name: 'Kunde GmbH', address: ['Platz 2', '1020 Wien'], country: 'AT', vat_id: 'ATU99999999' } } }));
  const second = api(catalogText(NEW_ISSUER, 'MwSt.', '0.02'));
  await insertParts(db.pool, [{ part: requestsPart('srv-1', '2026-11-05T10:00:00Z', '300'), at: at() }]);
  now = Date.parse('2026-11-20T00:00:00Z');
  await syncAll(db.pool, second.ctx);

  // The JSON of the issued documents is unchanged, field for field.
  assert.deepEqual(await json<unknown>(call(second.app, 'GET', `/v1/invoices/${acme.id}`)), invoiceJsonBefore);
  assert.deepEqual(await json<unknown>(call(second.app, 'GET', `/v1/credit-notes/${note.id}`)), noteJsonBefore);

  shows(await printed(second.app, `/v1/invoices/${acme.id}`), OLD, NEW, 'the final invoice after the changes');
  // The credit note credits whole lines, so it prints no unit price: the parties and tax name only.
  shows(await printed(second.app, `/v1/credit-notes/${note.id}`), OLD.filter((s) => s !== '0.01'), NEW, 'the credit note after the changes');
  // kunde's invoice was issued under reverse charge: the note stays although kunde now pays VAT.
  shows(await printed(second.app, `/v1/invoices/${kunde.id}`), ['Kunde AG', 'Ring 1', 'VAT ID: ATU12345678', REVERSE_NOTE], ['Kunde GmbH', 'Platz 2', 'ATU99999999'], 'kunde\'s final invoice');

  // November's draft is not issued: it prints today's issuer, billing details, tax name, price.
  const draft = await invoiceOf(second.app, 'acme', '2026-11');
  assert.equal(draft.status, 'draft');
  shows(await printed(second.app, `/v1/invoices/${draft.id}`), [...NEW, 'DRAFT'], OLD.filter((s) => s !== '0.01'), 'the new draft');
});

test('a credit note created after the changes prints the details of its own issue, not the invoice\'s', async () => {
  const current = api(catalogText(NEW_ISSUER, 'MwSt.', '0.02'));
  const kunde = await invoiceOf(current.app, 'kunde', '2026-10');
  const note = await json<{ id: string }>(call(current.app, 'POST', `/v1/invoices/${kunde.id}/credit-notes`, { body: { reason: 'outage', full: true } }));
  const later = api(catalogText('{ name: "Third Owner AG", address: ["Gasse 3"], country: AT, vat_id: ATU00000001 }', 'MwSt.', '0.02'));
  // Issued with Newco and Kunde GmbH (the details when it was created), reverse charge kept from
  // the credited invoice's zero-rate tax line; the later issuer change does not reach it.
  shows(await printed(later.app, `/v1/credit-notes/${note.id}`), ['Newco Hosting SE', 'Kunde GmbH', 'Platz 2', REVERSE_NOTE], ['Third Owner AG', 'Example Hosting GmbH', 'Kunde AG'], 'the later credit note');
});
