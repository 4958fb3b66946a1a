// Invoice documents through the API (SPEC §12.5) against a fresh database: the production
// mount (guards + routes), a draft and then a final invoice with VAT and with reverse charge,
// as HTML (Accept) and PDF (Accept and the .pdf suffix), with the JSON's access rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { parseCatalog } from '../../catalog/load.js';
import { cachedKeyLookup, issueKey, memoryKeyStore } from '../../api/auth/index.js';
import { mountApi } from '../../api/role.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { at, requestsPart } from '../invoicing/fixtures.js';
import { pdfText } from '../invoicing/documents/pdf-text.js';

const CATALOG = `
currency: USD
timezone: Europe/Berlin
issuer: { name: "Example Hosting GmbH", address: ["Hauptstr. 1", "10115 Berlin"], country: DE, vat_id: DE123456789 }
taxes:
  de-vat: { rate: "19", name: "USt." }
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
    charges:
      - { meter: requests, model: per_unit, free_units: "100", unit_price: "0.01" }
customers:
  acme:
    billing: { name: "ACME <script>alert(1)</script> Corp", address: ["1 Main St", "Springfield"], country: US }
    tax: de-vat
  kunde:
    billing: { name: "Kunde AG", address: ["Ring 1", "1010 Wien"], country: AT, vat_id: ATU12345678 }
    tax: reverse_charge
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-09-30T22:00:00Z" }
  - { server_id: srv-2, customer: kunde, plan: monthly, from: "2026-09-30T22:00:00Z" }
`;

let db: FreshDb;
let app: Hono;
let ctx: InvoicingContext;
let now = Date.parse('2026-10-20T00:00:00Z');
const keys: Record<'finance' | 'acme' | 'kunde' | 'agent', string> = { finance: '', acme: '', kunde: '', agent: '' };

before(async () => {
  db = await freshDb('documents_api');
  const catalog = parseCatalog(CATALOG);
  await seedFromCatalog(db.pool, catalog);
  const store = memoryKeyStore();
  keys.finance = (await issueKey(store, { role: 'finance' })).secret;
  keys.acme = (await issueKey(store, { role: 'customer', customer: 'acme' })).secret;
  keys.kunde = (await issueKey(store, { role: 'customer', customer: 'kunde' })).secret;
  keys.agent = (await issueKey(store, { role: 'agent' })).secret;
  app = new Hono();
  ctx = mountApi(app, { pool: db.pool, catalog, lookup: cachedKeyLookup(store, { ttlMs: 0 }), now: () => now });
  await insertParts(db.pool, [
    { part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '250'), at: at() },
    { part: requestsPart('srv-2', '2026-10-03T10:00:00Z', '100'), at: at() },
  ]);
  await syncAll(db.pool, ctx);
});
after(async () => db?.drop());

const get = (path: string, key: string | undefined, accept?: string) =>
  app.request(path, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(accept ? { accept } : {}) } });

interface Inv {
  id: string;
  number: string | null;
  customer: string;
  status: string;
  lines: Array<{ type: string; amount: string }>;
  subtotal: string;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
  finalized_at: string | null;
}
async function invoiceOf(customer: string): Promise<Inv> {
  const r = await get(`/v1/invoices?customer=${customer}`, keys.finance);
  const [inv] = ((await r.json()) as { invoices: Inv[] }).invoices;
  assert.ok(inv, `${customer} has an invoice`);
  return inv;
}
const printed = (items: readonly string[], s: string) => assert.ok(items.includes(s), `${JSON.stringify(s)} printed (items: ${JSON.stringify(items)})`);

test('a draft: HTML with a DRAFT mark and the customer name escaped; the PDF by suffix and by Accept', async () => {
  const draft = await invoiceOf('acme');
  assert.equal(draft.status, 'draft');
  const html = await get(`/v1/invoices/${draft.id}`, keys.acme, 'text/html,application/xhtml+xml,*/*;q=0.8');
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  const body = await html.text();
  assert.match(body, /<div class="draft"[^>]*>DRAFT<\/div>/);
  assert.ok(!body.includes('<script>'), 'the customer name is escaped');
  assert.ok(body.includes('ACME &lt;script&gt;alert(1)&lt;/script&gt; Corp'));

  for (const r of [await get(`/v1/invoices/${draft.id}.pdf`, keys.acme), await get(`/v1/invoices/${draft.id}`, keys.acme, 'application/pdf')]) {
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    const { items } = await pdfText(new Uint8Array(await r.arrayBuffer()));
    printed(items, 'DRAFT');
    for (const l of draft.lines) printed(items, l.amount);
  }
  // No Accept (or */*) keeps the JSON.
  assert.equal((await get(`/v1/invoices/${draft.id}`, keys.acme, '*/*')).headers.get('content-type'), 'application/json');
});

test('documents follow the JSON access rules: own customer only, finance all, agents and anonymous refused', async () => {
  const acme = await invoiceOf('acme');
  assert.equal((await get(`/v1/invoices/${acme.id}.pdf`, keys.kunde)).status, 404);
  assert.equal((await get(`/v1/invoices/${acme.id}`, keys.kunde, 'text/html')).status, 404);
  assert.equal((await get(`/v1/invoices/${acme.id}.pdf`, keys.agent)).status, 403);
  assert.equal((await get(`/v1/invoices/${acme.id}.pdf`, undefined)).status, 401);
  assert.equal((await get(`/v1/invoices/${acme.id}.pdf`, keys.finance)).status, 200);
  assert.equal((await get('/v1/invoices/inv-nope.pdf', keys.finance)).status, 404);
});

test('final invoices: number, issue date in the catalogue zone, every amount and the totals exactly as the JSON; reverse charge noted', async () => {
  now = Date.parse('2026-11-02T00:00:00Z');
  assert.equal((await app.request('/v1/invoices/finalize?period=2026-10', { method: 'POST', headers: { authorization: `Bearer ${keys.finance}` } })).status, 200);

  const acme = await invoiceOf('acme');
  assert.equal(acme.status, 'final');
  assert.ok(acme.number, 'a final invoice has a number');
  // By hand: 30.00 base + (250 − 100 free) × 0.01 = 1.50 → 31.50; VAT 19 % = 5.985 → 5.99; 37.49.
  assert.deepEqual([acme.total_excluding_tax, acme.tax_total, acme.total], ['31.50', '5.99', '37.49']);
  const { items } = await pdfText(new Uint8Array(await (await get(`/v1/invoices/${acme.id}.pdf`, keys.acme)).arrayBuffer()));
  printed(items, `Number: ${acme.number}`);
  const issued = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(acme.finalized_at!));
  printed(items, `Issue date: ${issued}`);
  printed(items, 'Period: 2026-10-01 – 2026-10-31');
  for (const l of acme.lines) printed(items, l.amount);
  for (const s of [acme.subtotal, acme.total_excluding_tax, acme.tax_total, acme.total, 'Example Hosting GmbH', 'VAT ID: DE123456789', 'USt.']) printed(items, s);
  assert.ok(!items.includes('DRAFT'));
  assert.ok(!items.join(' ').includes('Reverse charge: VAT to be accounted for by the recipient'));

  const kunde = await invoiceOf('kunde');
  const html = await (await get(`/v1/invoices/${kunde.id}`, keys.kunde, 'text/html')).text();
  assert.ok(html.includes('Reverse charge: VAT to be accounted for by the recipient'));
  assert.ok(html.includes('VAT ID: ATU12345678'));
  const kpdf = await pdfText(new Uint8Array(await (await get(`/v1/invoices/${kunde.id}`, keys.kunde, 'application/pdf')).arrayBuffer()));
  assert.ok(kpdf.items.join(' ').includes('Reverse charge: VAT to be accounted for by the recipient'));
  // 30.00 + 0 billable requests; reverse charge: tax 0.00.
  for (const s of ['30.00', '0.00', kunde.total]) printed(kpdf.items, s);
});

test('credit notes: HTML and PDF of GET /v1/credit-notes/:id with its number, the credited invoice and the JSON amounts', async () => {
  const acme = await invoiceOf('acme');
  assert.equal(acme.status, 'final', 'runs after the finalization above');
  const made = await app.request(`/v1/invoices/${acme.id}/credit-notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.finance}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'Outage <b>October</b>', lines: [{ n: 1, amount: '10.00' }] }),
  });
  assert.equal(made.status, 201);
  const note = (await made.json()) as { id: string; number: string; invoice: string; lines: Array<{ amount: string }>; total_excluding_tax: string; tax_total: string; total: string };
  // By hand: −10.00 credited, VAT 19 % of −10.00 = −1.90, total −11.90.
  assert.deepEqual([note.total_excluding_tax, note.tax_total, note.total], ['-10.00', '-1.90', '-11.90']);
  const r = await get(`/v1/credit-notes/${note.id}.pdf`, keys.acme);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const { items } = await pdfText(new Uint8Array(await r.arrayBuffer()));
  for (const s of ['Credit note', `Number: ${note.number}`, `Credits invoice: ${acme.number}`, 'Server srv-1', 'Base fee', note.total_excluding_tax, note.tax_total, note.total]) printed(items, s);
  for (const l of note.lines) printed(items, l.amount);
  assert.ok(!items.includes('DRAFT'));
  const html = await (await get(`/v1/credit-notes/${note.id}`, keys.finance, 'text/html')).text();
  assert.ok(html.includes('Outage &lt;b&gt;October&lt;/b&gt;'));
  assert.equal((await get(`/v1/credit-notes/${note.id}.pdf`, keys.kunde)).status, 404);
  assert.equal((await get(`/v1/credit-notes/${note.id}`, keys.acme)).headers.get('content-type'), 'application/json');
});
