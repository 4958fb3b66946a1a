import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dec, formatFixed, formatPlain, roundTo } from '../../lib/decimal.js';

test('half-up rounding goes away from zero on ties, both signs', () => {
  assert.equal(formatFixed(dec('0.125'), 2), '0.13');
  assert.equal(formatFixed(dec('-0.125'), 2), '-0.13');
  assert.equal(formatFixed(dec('2.5'), 0), '3');
  assert.equal(formatFixed(dec('0.0005'), 3), '0.001');
  assert.equal(formatFixed(dec('0.1244999'), 2), '0.12');
});

test('no binary-float drift: 0.1 + 0.2 is exactly 0.3', () => {
  assert.equal(formatPlain(dec('0.1').plus(dec('0.2'))), '0.3');
});

test('negative zero prints as zero', () => {
  assert.equal(formatFixed(dec('-0.001'), 2), '0.00');
  assert.equal(formatPlain(roundTo(dec('-0.001'), 0)), '0');
});

test('rejects text that is not a decimal', () => {
  assert.throws(() => dec('12,5'), /not a decimal/);
  assert.throws(() => dec('NaN'), /not a decimal/);
  assert.throws(() => dec(Number.POSITIVE_INFINITY), /finite/);
});
