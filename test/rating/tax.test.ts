// Tax arithmetic (SPEC §12.2), worked by hand: amount = round_half_up(base × rate ÷ 100) to the
// currency's minor unit, ties away from zero. Each tie is chosen so that half-even, half-down,
// truncation or ceiling would give a different answer than half-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaxRate } from '../../catalog/types.js';
import { dec } from '../../lib/decimal.js';
import { applyTax, taxAmount, taxLines, taxTotals } from '../../rating/tax.js';

const TAXES: Record<string, TaxRate> = {
  'de-vat': { code: 'de-vat', rate: dec('19'), name: 'USt.' },
  'ch-vat': { code: 'ch-vat', rate: dec('7.7'), name: 'MWST' },
  low: { code: 'low', rate: dec('5'), name: 'low' },
  ten: { code: 'ten', rate: dec('10'), name: 'ten' },
};

const txt = (d: { toFixed(n?: number): string }, digits: number): string => d.toFixed(digits);

test('tax: SPEC §12.2 example, 500.00 at 19 % = 95.00', () => {
  // 500.00 × 19 ÷ 100 = 95 exactly.
  const [line] = taxLines(dec('500.00'), 'de-vat', TAXES, 2);
  assert.equal(line?.code, 'de-vat');
  assert.equal(txt(line!.rate, 0), '19');
  assert.equal(txt(line!.base, 2), '500.00');
  assert.equal(txt(line!.amount, 2), '95.00');
});

test('tax: a half-cent tie rounds away from zero (1.50 at 19 % = 0.285 → 0.29, not 0.28)', () => {
  // 1.50 × 0.19 = 0.285: exactly half a cent. Half-up → 0.29; half-even, half-down, truncation → 0.28.
  assert.equal(txt(taxAmount(dec('1.50'), dec('19'), 2), 2), '0.29');
  // 0.50 × 0.19 = 0.095 → 0.10 (the tie the brief names).
  assert.equal(txt(taxAmount(dec('0.50'), dec('19'), 2), 2), '0.10');
});

test('tax: a negative base gives the negated tax of its magnitude (−1.50 at 19 % = −0.285 → −0.29)', () => {
  // Ceiling (half toward +∞) would give −0.28; SPEC: ties away from zero.
  const [line] = taxLines(dec('-1.50'), 'de-vat', TAXES, 2);
  assert.equal(txt(line!.amount, 2), '-0.29');
  assert.equal(txt(line!.base, 2), '-1.50');
});

test('tax: fractional rate (100.00 at 7.7 % = 7.70; 33.33 at 7.7 % = 2.56641 → 2.57)', () => {
  assert.equal(txt(taxAmount(dec('100.00'), dec('7.7'), 2), 2), '7.70');
  assert.equal(txt(taxAmount(dec('33.33'), dec('7.7'), 2), 2), '2.57');
});

test('tax: JPY has no minor digits (125 at 10 % = 12.5 → 13; 1234 at 10 % = 123.4 → 123)', () => {
  // 12.5 is a tie at 0 digits: half-up → 13, half-even → 12.
  assert.equal(txt(taxAmount(dec('125'), dec('10'), 0), 0), '13');
  assert.equal(txt(taxAmount(dec('1234'), dec('10'), 0), 0), '123');
});

test('tax: BHD has three minor digits (1.250 at 5 % = 0.0625 → 0.063)', () => {
  // 0.0625 is a tie at 3 digits: half-up → 0.063, half-even → 0.062.
  assert.equal(txt(taxAmount(dec('1.250'), dec('5'), 3), 3), '0.063');
});

test('tax: exempt and no treatment give no line; reverse_charge gives one zero line at rate 0', () => {
  assert.deepEqual(taxLines(dec('100.00'), 'exempt', TAXES, 2), []);
  assert.deepEqual(taxLines(dec('100.00'), undefined, TAXES, 2), []);
  const [rc, more] = taxLines(dec('100.00'), 'reverse_charge', TAXES, 2);
  assert.equal(more, undefined);
  assert.equal(rc?.code, 'reverse_charge');
  assert.ok(rc!.rate.isZero());
  assert.equal(txt(rc!.base, 2), '100.00');
  assert.ok(rc!.amount.isZero());
});

test('tax: an unknown key is a programming error, not a silent zero', () => {
  assert.throws(() => taxLines(dec('1.00'), 'fr-vat', TAXES, 2), /unknown tax "fr-vat"/);
});

test('tax: the three totals (500.00 + 95.00 = 595.00; without lines tax_total 0 and total = base)', () => {
  const t = applyTax(dec('500.00'), 'de-vat', TAXES, 2);
  assert.deepEqual([txt(t.totalExcludingTax, 2), txt(t.taxTotal, 2), txt(t.total, 2)], ['500.00', '95.00', '595.00']);
  const none = taxTotals(dec('123.45'), []);
  assert.deepEqual([txt(none.totalExcludingTax, 2), txt(none.taxTotal, 2), txt(none.total, 2)], ['123.45', '0.00', '123.45']);
});

test('tax: 2 000 generated cases agree with a scaled-integer reference model (half away from zero)', () => {
  // Reference: base b minor units, rate = num / 10^k percent. Exact tax in minor units is
  // b·num / (100·10^k); rounding half away from zero = sign · floor((2|n| + d) / 2d).
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 2000; i++) {
    const digits = [0, 2, 3][next(3)]!;
    const b = BigInt(next(2_000_000) - 1_000_000);
    const k = next(3);
    const num = BigInt(next(100 * 10 ** k + 1)); // 0 … 100 %
    const n = b * num;
    const d = 100n * 10n ** BigInt(k);
    const mag = (2n * (n < 0n ? -n : n) + d) / (2n * d);
    const want = n < 0n ? -mag : mag;
    const base = dec(b.toString()).div(10 ** digits);
    const rate = dec(num.toString()).div(10 ** k);
    const got = taxAmount(base, rate, digits).times(10 ** digits);
    assert.equal(got.toFixed(0), want.toString(), `base ${base.toFixed(digits)} at ${rate.toFixed()} % (${digits} digits)`);
  }
});
