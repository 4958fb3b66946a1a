// Number formats (SPEC §12.1, §12.3): rendering, padding, and the prefix that names a sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberFormat, numberFormatsOf } from '../../invoicing/numbering.js';

test('the default formats: zero-padded to six, the prefix is the text without {SEQ…}', () => {
  const { invoice, creditNote } = numberFormatsOf({});
  assert.equal(invoice.render(2026, 3n), 'ML-2026-000003');
  assert.equal(invoice.prefix(2026), 'ML-2026-');
  assert.equal(creditNote.render(2027, 1n), 'CN-2027-000001');
  assert.equal(creditNote.prefix(2027), 'CN-2027-');
});

test('{YYYY} restarts the sequence each year; a format without it has one sequence', () => {
  const f = numberFormat('ML-{YYYY}-{SEQ:6}');
  assert.notEqual(f.prefix(2026), f.prefix(2027));
  const plain = numberFormat('INV{SEQ:4}/x');
  assert.equal(plain.prefix(2026), 'INV/x');
  assert.equal(plain.prefix(2027), 'INV/x');
  assert.equal(plain.render(2026, 42n), 'INV0042/x');
});

test('a number wider than the padding is printed whole; {SEQ} pads nothing', () => {
  assert.equal(numberFormat('A-{SEQ:2}').render(2026, 1234n), 'A-1234');
  assert.equal(numberFormat('{YYYY}.{SEQ}').render(2026, 7n), '2026.7');
  assert.equal(numberFormat('{SEQ:3}-{YYYY}-{YYYY}').render(2026, 9n), '009-2026-2026');
});

test('the issuer formats of the catalogue win over the defaults', () => {
  const f = numberFormatsOf({ issuer: { name: 'x', address: [], country: 'DE', invoiceNumber: 'R{YYYY}{SEQ:5}', creditNoteNumber: 'G{SEQ:3}' } });
  assert.equal(f.invoice.render(2026, 12n), 'R202600012');
  assert.equal(f.creditNote.render(2026, 12n), 'G012');
});

test('a format needs exactly one {SEQ}', () => {
  assert.throws(() => numberFormat('ML-{YYYY}'), /exactly one \{SEQ\}/);
  assert.throws(() => numberFormat('{SEQ}{SEQ:2}'), /exactly one \{SEQ\}/);
});
