// Credit note arithmetic (SPEC §12.4), worked by hand: which lines a request credits, what
// remains of each after earlier credit notes, and the tax recomputed on the credited base.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { creditNoteDocument, planCredit, type CreditedInvoice } from '../../invoicing/credit-note.js';
import { parseCreditNoteRequest } from '../../invoicing/credit-note-request.js';
import { dec } from '../../lib/decimal.js';
import { ValidationError } from '../../lib/errors.js';
import type { LineJson } from '../../invoicing/types.js';

// 500.00 + 10.50 − 51.05 = 459.45 before tax; 459.45 × 19 % = 87.2955 → 87.30.
const LINES: LineJson[] = [
  { type: 'base_fee', server_id: 'srv-1', amount: '500.00' },
  { type: 'usage', server_id: 'srv-1', meter: 'requests', amount: '10.50' },
  { type: 'discount', amount: '-51.05' },
  { type: 'tax', code: 'de-vat', rate: '19', base: '459.45', amount: '87.30' },
];
const INV: CreditedInvoice = { id: 'inv-1', number: 'ML-2026-000003', customer: 'acme', currency: 'EUR', lines: LINES };
const HEAD = { id: 'cn-1', number: 'CN-2026-000001', reason: 'outage' };
const req = (body: unknown) => parseCreditNoteRequest(JSON.stringify(body), 2);
const none = new Map<number, ReturnType<typeof dec>>();

function problemsOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return [...err.problems];
  }
  assert.fail('expected a ValidationError');
}

test('the tax on a credited base is rounded half-up: a tie goes away from zero', () => {
  // Base −1.50 × 19 ÷ 100 = −0.285 exactly: half-up gives −0.29 (half-even would give −0.28).
  const lines = planCredit(INV, none, req({ reason: 'outage', lines: [{ n: 2, amount: '1.50' }] }));
  assert.deepEqual(creditNoteDocument(HEAD, INV, lines, 2), {
    id: 'cn-1', type: 'credit_note', number: 'CN-2026-000001', invoice: 'ML-2026-000003', customer: 'acme', currency: 'EUR', reason: 'outage',
    lines: [{ type: 'credit', n: 2, amount: '-1.50' }, { type: 'tax', code: 'de-vat', rate: '19', base: '-1.50', amount: '-0.29' }],
    total_excluding_tax: '-1.50', tax_total: '-0.29', total: '-1.79',
  });
});

test('several lines: one tax on their sum, lines in invoice order whatever the request order', () => {
  // 0.50 + 10.00 = 10.50; 10.50 × 0.19 = 1.995 → 2.00 (a tie again); total 12.50.
  const lines = planCredit(INV, none, req({ reason: 'r', lines: [{ n: 2, amount: '0.50' }, { n: 1, amount: '10' }] }));
  const doc = creditNoteDocument(HEAD, INV, lines, 2);
  assert.deepEqual(doc.lines, [
    { type: 'credit', n: 1, amount: '-10.00' },
    { type: 'credit', n: 2, amount: '-0.50' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '-10.50', amount: '-2.00' },
  ]);
  assert.deepEqual([doc.total_excluding_tax, doc.tax_total, doc.total], ['-10.50', '-2.00', '-12.50']);
});

test('reverse charge: a zero tax line at rate 0; exempt or untaxed: no tax line', () => {
  const rc: CreditedInvoice = { ...INV, lines: [...LINES.slice(0, 3), { type: 'tax', code: 'reverse_charge', rate: '0', base: '459.45', amount: '0.00' }] };
  const doc = creditNoteDocument(HEAD, rc, planCredit(rc, none, req({ reason: 'r', lines: [{ n: 1, amount: '10.00' }] })), 2);
  assert.deepEqual(doc.lines[1], { type: 'tax', code: 'reverse_charge', rate: '0', base: '-10.00', amount: '0.00' });
  assert.deepEqual([doc.total_excluding_tax, doc.tax_total, doc.total], ['-10.00', '0.00', '-10.00']);
  const exempt: CreditedInvoice = { ...INV, lines: LINES.slice(0, 3) };
  const e = creditNoteDocument(HEAD, exempt, planCredit(exempt, none, req({ reason: 'r', lines: [{ n: 1, amount: '10.00' }] })), 2);
  assert.deepEqual(e.lines, [{ type: 'credit', n: 1, amount: '-10.00' }]);
  assert.deepEqual([e.total_excluding_tax, e.tax_total, e.total], ['-10.00', '0.00', '-10.00']);
});

test('what remains of a line after earlier credit notes caps the next one', () => {
  const before = new Map([[1, dec('495.00')]]); // 500.00 − 495.00 = 5.00 remains
  assert.equal(planCredit(INV, before, req({ reason: 'r', lines: [{ n: 1, amount: '5.00' }] }))[0]!.credited.toFixed(2), '5.00');
  const [p] = problemsOf(() => planCredit(INV, before, req({ reason: 'r', lines: [{ n: 1, amount: '5.01' }] })));
  assert.equal(p!.path, 'lines[0].amount');
  assert.match(p!.message, /^5\.01 exceeds what remains of line 1: 5\.00 of 500\.00 after earlier credit notes$/);
});

test('discount, tax and unknown lines cannot be credited one by one', () => {
  const ps = problemsOf(() => planCredit(INV, none, req({ reason: 'r', lines: [{ n: 3, amount: '1.00' }, { n: 4, amount: '1.00' }, { n: 9, amount: '1.00' }] })));
  assert.deepEqual(ps.map((p) => p.path), ['lines[0].n', 'lines[1].n', 'lines[2].n']);
  assert.match(ps[0]!.message, /line 3 is a discount line of -51\.05/);
  assert.match(ps[1]!.message, /tax line/);
  assert.match(ps[2]!.message, /has no line 9 \(it has 4\)/);
});

test('full: what remains of every line, discounts reversed, so all credit notes sum to the invoice', () => {
  // After 10.00 of line 1: 490.00 + 10.50 − 51.05 = 449.45; × 0.19 = 85.3955 → 85.40.
  const before = new Map([[1, dec('10.00')]]);
  const doc = creditNoteDocument(HEAD, INV, planCredit(INV, before, req({ reason: 'cancelled', full: true })), 2);
  assert.deepEqual(doc.lines, [
    { type: 'credit', n: 1, amount: '-490.00' },
    { type: 'credit', n: 2, amount: '-10.50' },
    { type: 'credit', n: 3, amount: '51.05' },
    { type: 'tax', code: 'de-vat', rate: '19', base: '-449.45', amount: '-85.40' },
  ]);
  assert.equal(doc.total, '-534.85');
  // Once only the discount remains, a full credit note would charge the customer: refused.
  const spent = new Map([[1, dec('500.00')], [2, dec('10.50')]]);
  assert.deepEqual(problemsOf(() => planCredit(INV, spent, req({ reason: 'r', full: true }))).map((p) => p.path), ['full']);
});

test('amounts: at most the currency minor digits (0 for JPY), positive, strings only', () => {
  assert.equal(parseCreditNoteRequest('{"reason":"r","lines":[{"n":1,"amount":"10"}]}', 0).full, undefined);
  for (const amount of ['10.5', '-1', '0', '1e3', ' 1', '']) {
    assert.deepEqual(problemsOf(() => parseCreditNoteRequest(JSON.stringify({ reason: 'r', lines: [{ n: 1, amount }] }), 0)).map((p) => p.path), ['lines[0].amount'], amount);
  }
  assert.deepEqual(problemsOf(() => parseCreditNoteRequest('{"reason":"r","lines":[{"n":1,"amount":10}]}', 2)).map((p) => p.path), ['lines[0].amount']);
});

test('line numbers are read from their text: 1.0000000000000001 (a double would say 1) is not line 1', () => {
  for (const n of ['1.0000000000000001', '1e0', '0', '-1', '"1"', 'true']) {
    const ps = problemsOf(() => parseCreditNoteRequest(`{"reason":"r","lines":[{"n":${n},"amount":"1.00"}]}`, 2));
    assert.deepEqual(ps.map((p) => p.path), ['lines[0].n'], n);
    assert.equal(ps[0]!.message, `must be a line number from 1, not ${n}`);
  }
  assert.deepEqual(parseCreditNoteRequest('{"reason":"r","lines":[{"n":12,"amount":"1.00"}]}', 2), { reason: 'r', lines: [{ n: 12, amount: dec('1.00') }] });
});
