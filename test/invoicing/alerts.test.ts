// reachedAlerts (pure): amounts against total_excluding_tax, meters against the sum of the
// draft's usage-line quantities of that meter across servers (adjustments excluded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../lib/decimal.js';
import { reachedAlerts } from '../../invoicing/alerts.js';
import type { UsageAlert } from '../../catalog/types.js';

const amount = (t: string): UsageAlert => ({ kind: 'amount', threshold: new Decimal(t), text: t });
const meter = (m: string, t: string): UsageAlert => ({ kind: 'meter', meter: m, threshold: new Decimal(t), text: t });
const draft = {
  totalExcludingTax: '1000.00',
  lines: [
    { json: { type: 'usage', meter: 'bw', quantity: '2500.5' } },
    { json: { type: 'usage', meter: 'bw', quantity: '2499.5' } }, // second server: 5000 in all
    { json: { type: 'adjustment', meter: 'bw', quantity: '900' } }, // an earlier period's usage
    { json: { type: 'usage', meter: 'ip', quantity: '10' } },
  ],
};

test('a threshold is reached at equality, not below', () => {
  const r = reachedAlerts([amount('1000.00'), amount('1000.01'), meter('bw', '5000'), meter('bw', '5000.1'), meter('ip', '11'), meter('none', '1')], draft);
  assert.deepEqual(r.map((x) => [x.alert.text, x.value]), [['1000.00', '1000.00'], ['5000', '5000']]);
});

test("with the draft's usage per meter, an unpriced meter (no usage line) counts; the lines are then not read", () => {
  // errors: 3 + 4 = 7 on two servers, priced by no plan, so no line names it.
  const withUsage = { ...draft, meterQuantities: { bw: '5000', errors: '7' } };
  const r = reachedAlerts([meter('errors', '7'), meter('errors', '7.5'), meter('bw', '5000'), meter('ip', '1')], withUsage);
  assert.deepEqual(r.map((x) => [x.alert.kind === 'meter' ? x.alert.meter : '', x.alert.text, x.value]), [['errors', '7', '7'], ['bw', '5000', '5000']]);
});

test('a quantity without a finite decimal form (a time average) is compared exactly and shown like a line quantity', () => {
  // 2/3 GB-month on each of three servers: exactly 2 in all, but the stored per-server figures
  // are decimal.js quotients; the sum is shown rounded to 9 digits as invoice quantities are.
  const third = new Decimal(2).div(3);
  const withUsage = { ...draft, meterQuantities: { ssd: third.times(3).toFixed(), half: third.toFixed() } };
  const r = reachedAlerts([meter('ssd', '2'), meter('half', '0.666666667')], withUsage);
  assert.deepEqual(r.map((x) => x.value), ['2']);
  const shown = reachedAlerts([meter('half', '0.6')], withUsage);
  assert.deepEqual(shown.map((x) => x.value), ['0.666666667']);
});
