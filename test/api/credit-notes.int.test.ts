// Credit notes over HTTP against a fresh database (SPEC §12.4): created on final invoices only,
// numbered in their own sequence, capped by what remains of each line, every bad input a 4xx
// naming the field with nothing written, customer keys confined, immutable in the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../db/pool.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { insertParts } from '../../invoicing/db/parts.js';
import { syncAll } from '../../invoicing/drafts.js';
import { invoiceId } from '../../invoicing/db/invoices.js';
import { testApp, type TestApp } from '../invoicing/app.js';
import { requestsPart } from '../invoicing/fixtures.js';

let t: TestApp;
const ACME = invoiceId('acme', '2026-10');
const BETA = invoiceId('beta', '2026-10');
const notesPath = (id: string) => `/v1/invoices/${id}/credit-notes`;

before(async () => {
  t = await testApp('credit_notes', '2026-10-20T00:00:00Z');
  await insertParts(t.db.pool, [{ part: requestsPart('srv-1', '2026-10-02T10:00:00Z', '200', 'cn-p1'), at: { topic: 'usage.rollups', partition: 0, offset: '1' } }]);
  await syncAll(t.db.pool, t.ctx);
});
after(async () => t?.db.drop());

const post = (id: string, body: unknown, key = t.keys.finance) => t.call('POST', notesPath(id), { key, body });
const counters = async () => (await t.db.pool.query<{ prefix: string; last_value: string }>('SELECT prefix, last_value::text FROM document_number_counters ORDER BY prefix')).rows;
const noteCount = async () => Number((await t.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM credit_notes')).rows[0]!.n);

test('a draft cannot be credited (409) and has no number field', async () => {
  const draft = await t.call('GET', `/v1/invoices/${ACME}`, { key: t.keys.finance });
  assert.equal('number' in draft.body, false);
  const r = await post(ACME, { reason: 'early', full: true });
  assert.equal(r.status, 409);
  assert.match(String(r.body.error), /draft/);
});

test('finalizing numbers the invoices in ascending customer id', async () => {
  t.setNow('2026-11-02T00:00:00Z');
  const fin = await t.call('POST', '/v1/invoices/finalize?period=2026-10', { key: t.keys.finance });
  assert.deepEqual(fin.body.results, [
    { customer: 'acme', invoice: ACME, number: 'ML-2026-000001', result: 'finalized' },
    { customer: 'beta', invoice: BETA, number: 'ML-2026-000002', result: 'finalized' },
  ]);
  const acme = await t.call('GET', `/v1/invoices/${ACME}`, { key: t.keys.acme });
  assert.equal(acme.body.number, 'ML-2026-000001');
  // acme: base 30.00; usage (200 − 100 free) × 0.01 = 1.00; discount −10 % of 31.00 = −3.10.
  assert.deepEqual((acme.body.lines as Array<{ amount: string }>).map((l) => l.amount), ['30.00', '1.00', '-3.10']);
});

test('a partial credit note: SPEC §12.4 form, its own number, the credited invoice number', async () => {
  const r = await post(ACME, { reason: 'outage on 2026-10-07', lines: [{ n: 1, amount: '10.00' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = String(r.body.id);
  assert.match(id, /^cn-[0-9a-f]{16}$/);
  // No tax in this catalogue: tax_total 0 with the currency's two minor digits.
  assert.deepEqual(r.body, {
    id, type: 'credit_note', number: 'CN-2026-000001', invoice: 'ML-2026-000001', customer: 'acme', currency: 'USD',
    reason: 'outage on 2026-10-07', lines: [{ type: 'credit', n: 1, amount: '-10.00' }],
    total_excluding_tax: '-10.00', tax_total: '0.00', total: '-10.00',
  });
  assert.deepEqual((await t.call('GET', `/v1/credit-notes/${id}`, { key: t.keys.acme })).body, r.body);
});

// Every bad request: the status, the field it names. None may write anything.
const BAD: Array<{ what: string; body: unknown; status: number; path?: string; id?: string; key?: 'acme' | 'agent' }> = [
  { what: 'invalid JSON', body: '{"reason":', status: 422, path: '(body)' },
  { what: 'an array', body: '[]', status: 422, path: '(body)' },
  { what: 'no reason', body: { lines: [{ n: 1, amount: '1.00' }] }, status: 422, path: 'reason' },
  { what: 'empty reason', body: { reason: ' ', lines: [{ n: 1, amount: '1.00' }] }, status: 422, path: 'reason' },
  { what: 'reason not text', body: { reason: 5, full: true }, status: 422, path: 'reason' },
  { what: 'a reason too long', body: { reason: 'x'.repeat(1001), full: true }, status: 422, path: 'reason' },
  { what: 'neither lines nor full', body: { reason: 'r' }, status: 422, path: 'lines' },
  { what: 'full false and no lines', body: { reason: 'r', full: false }, status: 422, path: 'lines' },
  { what: 'both lines and full', body: { reason: 'r', full: true, lines: [{ n: 1, amount: '1.00' }] }, status: 422, path: 'lines' },
  { what: 'full not a boolean', body: { reason: 'r', full: 'yes' }, status: 422, path: 'full' },
  { what: 'empty lines', body: { reason: 'r', lines: [] }, status: 422, path: 'lines' },
  { what: 'lines not an array', body: { reason: 'r', lines: { n: 1 } }, status: 422, path: 'lines' },
  { what: 'a line not an object', body: { reason: 'r', lines: [1] }, status: 422, path: 'lines[0]' },
  { what: 'n missing', body: { reason: 'r', lines: [{ amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'n zero', body: { reason: 'r', lines: [{ n: 0, amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'n fractional', body: { reason: 'r', lines: [{ n: 1.5, amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'n as text', body: { reason: 'r', lines: [{ n: '1', amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'an unknown line', body: { reason: 'r', lines: [{ n: 4, amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'the discount line', body: { reason: 'r', lines: [{ n: 3, amount: '1.00' }] }, status: 422, path: 'lines[0].n' },
  { what: 'a line twice', body: { reason: 'r', lines: [{ n: 2, amount: '0.10' }, { n: 2, amount: '0.10' }] }, status: 422, path: 'lines[1].n' },
  { what: 'amount missing', body: { reason: 'r', lines: [{ n: 1 }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount a JSON number', body: { reason: 'r', lines: [{ n: 1, amount: 1 }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount negative', body: { reason: 'r', lines: [{ n: 1, amount: '-1.00' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount zero', body: { reason: 'r', lines: [{ n: 1, amount: '0.00' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount with three minor digits', body: { reason: 'r', lines: [{ n: 1, amount: '1.001' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount not a number', body: { reason: 'r', lines: [{ n: 1, amount: 'ten' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'amount in exponent form', body: { reason: 'r', lines: [{ n: 1, amount: '1e1' }] }, status: 422, path: 'lines[0].amount' },
  // 30.00 − 10.00 already credited = 20.00 remains.
  { what: 'more than remains of the line', body: { reason: 'r', lines: [{ n: 1, amount: '20.01' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'more than the whole line', body: { reason: 'r', lines: [{ n: 2, amount: '1.01' }] }, status: 422, path: 'lines[0].amount' },
  { what: 'an unknown field', body: { reason: 'r', full: true, refund: true }, status: 422, path: 'refund' },
  { what: 'an unknown line field', body: { reason: 'r', lines: [{ n: 1, amount: '1.00', tax: '0' }] }, status: 422, path: 'lines[0].tax' },
  { what: "another customer's invoice", body: { reason: 'r', customer: 'beta', full: true }, status: 422, path: 'customer' },
  { what: 'an unknown invoice', body: { reason: 'r', full: true }, status: 404, id: 'inv-nope' },
  { what: 'a customer key', body: { reason: 'r', full: true }, status: 403, key: 'acme' },
  { what: 'an agent key', body: { reason: 'r', full: true }, status: 403, key: 'agent' },
];

test('every bad request is a 4xx naming the field, and writes nothing (not even a number)', async () => {
  const [notesBefore, countersBefore] = [await noteCount(), await counters()];
  for (const b of BAD) {
    const r = await post(b.id ?? ACME, b.body, b.key ? t.keys[b.key] : t.keys.finance);
    assert.equal(r.status, b.status, `${b.what}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error, 'string', b.what);
    if (b.path) assert.ok((r.body.problems as Array<{ path: string }>).some((p) => p.path === b.path), `${b.what}: ${JSON.stringify(r.body)}`);
  }
  assert.equal((await t.call('POST', notesPath(ACME), { body: { reason: 'r', full: true } })).status, 401);
  assert.equal(await noteCount(), notesBefore);
  assert.deepEqual(await counters(), countersBefore);
});

test('over-crediting across two credit notes: the second one beyond what remains is 422 naming the line', async () => {
  const ok = await post(ACME, { reason: 'second', lines: [{ n: 1, amount: '20.00' }] });
  assert.equal(ok.status, 201);
  assert.equal(ok.body.number, 'CN-2026-000002'); // the refused requests above burnt no number
  const over = await post(ACME, { reason: 'third', lines: [{ n: 1, amount: '0.01' }] });
  assert.equal(over.status, 422);
  assert.match(String(over.body.error), /line 1: 0\.00 of 30\.00/);
  // Only the discount and 1.00 of usage remain: 1.00 − 3.10 < 0, a full credit would charge.
  assert.equal((await post(ACME, { reason: 'all', full: true })).status, 422);
  const list = await t.call('GET', notesPath(ACME), { key: t.keys.acme });
  assert.deepEqual((list.body.credit_notes as Array<{ number: string }>).map((n) => n.number), ['CN-2026-000001', 'CN-2026-000002']);
});

test('two concurrent credit notes on one invoice (two connections) never over-credit', async () => {
  const [p1, p2] = [1, 2].map((i) => createPool({ url: t.db.url, ssl: false, poolSize: 1 }, { applicationName: `credit-race-${i}` })) as [ReturnType<typeof createPool>, ReturnType<typeof createPool>];
  try {
    // beta's line 1: 39 hours × 0.12 = 4.68; each asks for 3.00 of it: only one can have it.
    const body = JSON.stringify({ reason: 'race', lines: [{ n: 1, amount: '3.00' }] });
    const results = await Promise.allSettled([createCreditNote(p1, t.ctx, BETA, body), createCreditNote(p2, t.ctx, BETA, body)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(String(failed.reason), /exceeds what remains of line 1: 1\.68 of 4\.68/);
  } finally {
    await Promise.all([p1.end(), p2.end()]);
  }
});

test('full: what remains of every line; then nothing is left', async () => {
  const beta = await t.call('GET', `/v1/invoices/${BETA}`, { key: t.keys.finance });
  assert.equal(beta.body.total, '4.68');
  const full = await post(BETA, { reason: 'contract cancelled', full: true });
  assert.equal(full.status, 201, JSON.stringify(full.body));
  assert.equal(full.body.number, 'CN-2026-000004'); // 000003 was the race's winner
  assert.equal(full.body.invoice, 'ML-2026-000002');
  assert.deepEqual(full.body.lines, [{ type: 'credit', n: 1, amount: '-1.68' }]); // 4.68 − 3.00
  assert.equal(full.body.total, '-1.68');
  assert.equal((await post(BETA, { reason: 'again', full: true })).status, 422);
});

test("customer keys read only their own customer's credit notes", async () => {
  const betaNotes = (await t.call('GET', notesPath(BETA), { key: t.keys.beta })).body.credit_notes as Array<{ id: string }>;
  assert.equal(betaNotes.length, 2);
  assert.equal((await t.call('GET', notesPath(BETA), { key: t.keys.acme })).status, 404);
  assert.equal((await t.call('GET', `/v1/credit-notes/${betaNotes[0]!.id}`, { key: t.keys.acme })).status, 404);
  assert.equal((await t.call('GET', `/v1/credit-notes/${betaNotes[0]!.id}`, { key: t.keys.beta })).status, 200);
  assert.equal((await t.call('GET', `/v1/credit-notes/${betaNotes[0]!.id}`, { key: t.keys.agent })).status, 403);
  assert.equal((await t.call('GET', '/v1/credit-notes/cn-nope', { key: t.keys.finance })).status, 404);
  assert.equal((await t.call('GET', notesPath('inv-nope'), { key: t.keys.finance })).status, 404);
});

test('credit notes, their lines and final invoice numbers are immutable in the database', async () => {
  for (const sql of [
    "UPDATE credit_notes SET reason = 'changed'",
    'DELETE FROM credit_notes',
    'UPDATE credit_note_lines SET credited = 0.01',
    'DELETE FROM credit_note_lines',
    'TRUNCATE credit_note_lines',
    `UPDATE invoices SET number = 'ML-2026-999999' WHERE id = '${ACME}'`,
    `INSERT INTO credit_note_lines (credit_note_id, invoice_id, n, credited) SELECT id, invoice_id, 2, 0.01 FROM credit_notes LIMIT 1`,
    'UPDATE document_number_counters SET last_value = 1',
    // A credit note on a draft (November's, made by finalizing October), written past the API.
    `INSERT INTO credit_notes (id, number, invoice_id, customer, currency, reason, total_excluding_tax, tax_total, total, document)
     VALUES ('cn-x', 'CN-X', '${invoiceId('acme', '2026-11')}', 'acme', 'USD', 'r', -1, 0, -1, '{}')`,
  ]) {
    await assert.rejects(t.db.pool.query(sql), /cannot be changed|can only be written|may only increase|is final|is not a final invoice/, sql);
  }
});
