// The invoicing commands fail fast with one line naming the problem (no services needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runToEnd } from '../e2e/processes.js';

const env = { ...process.env, METERLINE_CATALOG: '', PORT: '0', METERLINE_LOG_LEVEL: 'silent' };

test('meterline rate without a catalogue: exit 78 naming it', async () => {
  const r = await runToEnd(['rate'], env);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /the rate role needs the catalogue \(--catalog FILE or METERLINE_CATALOG\)/);
});

test('meterline invoices: usage errors exit 2', async () => {
  const none = await runToEnd(['invoices'], env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: meterline invoices finalize --period YYYY-MM/);
  const noPeriod = await runToEnd(['invoices', 'finalize'], env);
  assert.equal(noPeriod.code, 2);
  assert.match(noPeriod.stderr, /--period is required/);
});
