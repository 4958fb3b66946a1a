// documentRecord (pure): a credit note and an invoice as the API serves them become valid
// billing.documents Avro records that keep every field, and the record round-trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentRecord } from '../../events/document-record.js';
import { currentSchema } from '../../avro/schemas.js';
import type { StoredEvent } from '../../events/types.js';

const creditNote = {
  id: 'cn-1', type: 'credit_note', number: 'CN-2026-000001', invoice: 'ML-2026-000003', customer: 'acme', currency: 'EUR', reason: 'outage',
  lines: [{ type: 'credit', n: 3, amount: '-10.00' }, { type: 'tax', code: 'de-vat', rate: '19', base: '-10.00', amount: '-1.90' }],
  total_excluding_tax: '-10.00', tax_total: '-1.90', total: '-11.90',
};
const event = (type: StoredEvent['type'], data: Record<string, unknown>, documentId: string): StoredEvent =>
  ({ seq: '7', id: 'evt_x', type, customer: 'acme', documentId, data, createdAtMs: Date.parse('2026-11-03T10:00:00Z') });

test('a credit note: typed fields, tax line fields, the whole JSON kept, issued at the event time', () => {
  const r = documentRecord(event('credit_note.created', creditNote, 'cn-1'));
  const type = currentSchema('document').type;
  assert.ok(type.isValid(r));
  const back = type.fromBuffer(type.toBuffer(r)) as Record<string, unknown>;
  assert.equal(back.type, 'credit_note');
  assert.equal(back.number, 'CN-2026-000001');
  assert.equal(back.invoice, 'ML-2026-000003');
  assert.equal(back.total, '-11.90');
  assert.equal(back.tax_total, '-1.90');
  assert.equal(back.subtotal, null);
  assert.equal(back.issued_at, '2026-11-03T10:00:00.000Z');
  const lines = back.lines as Record<string, unknown>[];
  assert.deepEqual([lines[0]?.n, lines[0]?.amount, lines[1]?.code, lines[1]?.rate, lines[1]?.base], [3, '-10.00', 'de-vat', '19', '-10.00']);
  assert.deepEqual(JSON.parse(back.document_json as string), creditNote);
});

test('an invoice: period, status, subtotal and the line fields of §9', () => {
  const invoice = {
    id: 'inv-1', number: 'ML-2026-000001', customer: 'acme', currency: 'USD', status: 'final',
    period: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
    lines: [{ type: 'usage', server_id: 'srv-1', plan: 'p', meter: 'bw', quantity: '1234.567', unit: 'GB', amount: '2.35', tiers: [1] }],
    subtotal: '2.35', total_excluding_tax: '2.35', tax_total: '0.00', total: '2.35', finalized_at: '2026-11-02T00:00:00.000Z',
  };
  const r = documentRecord(event('invoice.finalized', invoice, 'inv-1'));
  assert.ok(currentSchema('document').type.isValid(r));
  assert.equal(r.type, 'invoice');
  assert.equal(r.period_start, '2026-10-01T00:00:00Z');
  assert.equal(r.issued_at, '2026-11-02T00:00:00.000Z');
  const line = (r.lines as Record<string, unknown>[])[0];
  assert.deepEqual([line?.server_id, line?.quantity, line?.unit, line?.unit_price], ['srv-1', '1234.567', 'GB', null]);
  assert.deepEqual(JSON.parse(line?.json as string).tiers, [1], 'fields the schema does not name travel in json');
});
