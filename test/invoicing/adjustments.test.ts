// The pure part of late-usage adjustments: which unbilled parts are late, and the adjustment
// = re-rated rounded line − what final invoices already billed (amounts worked by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Subscription } from '../../catalog/types.js';
import { Decimal } from '../../lib/decimal.js';
import { adjustmentsFor, groupLateParts } from '../../invoicing/adjustments.js';
import type { StoredPart } from '../../invoicing/db/parts.js';
import type { Invoice } from '../../rating/invoice-types.js';
import { parsePeriod } from '../../rating/period.js';

const ms = Date.parse;
const SUBS: Subscription[] = [
  { id: 'a', serverId: 'srv-1', customer: 'acme', plan: 'p', fromMs: ms('2026-09-01T00:00:00Z'), toMs: ms('2026-10-10T00:00:00Z') },
  { id: 'b', serverId: 'srv-1', customer: 'acme', plan: 'q', fromMs: ms('2026-10-10T00:00:00Z') },
];
const part = (id: string, serverId: string, iso: string, meter = 'requests'): StoredPart => ({
  partId: id, serverId, meter, windowStartMs: ms(iso), windowEndMs: ms(iso) + 60_000, correction: true, state: { count: 1, sum: '1' }, billedInvoice: null,
});

test('late parts: only those of finalized periods inside the customer\'s subscriptions, by (subscription, meter)', () => {
  const { groups, partIds } = groupLateParts(
    [
      part('x1', 'srv-1', '2026-10-03T00:00:00Z'), // sub a, October (final)
      part('x2', 'srv-1', '2026-10-12T00:00:00Z'), // sub b, October
      part('x3', 'srv-1', '2026-10-12T00:05:00Z'), // sub b, October, same line as x2
      part('x4', 'srv-1', '2026-09-20T00:00:00Z'), // sub a, September: not final → not late
      part('x5', 'srv-9', '2026-10-03T00:00:00Z'), // no subscription of this customer
    ],
    SUBS,
    new Set(['2026-10']),
    'UTC',
  );
  assert.deepEqual(partIds, ['x1', 'x2', 'x3']);
  assert.equal(groups.length, 1);
  assert.equal(groups[0]?.period.label, '2026-10');
  assert.deepEqual([...groups[0]!.lines.values()].map((l) => [l.sub.id, l.meter, l.partIds]), [['a', 'requests', ['x1']], ['b', 'requests', ['x2', 'x3']]]);
});

test('adjustment = re-rated rounded line − usage line − earlier adjustments; zero differences give no line', () => {
  const { groups } = groupLateParts(
    [part('x1', 'srv-1', '2026-10-03T00:00:00Z'), part('x2', 'srv-1', '2026-10-12T00:00:00Z'), part('x3', 'srv-1', '2026-10-12T00:00:00Z', 'cpu')],
    SUBS,
    new Set(['2026-10']),
    'UTC',
  );
  const period = parsePeriod('2026-10', 'UTC');
  const usage = (subscriptionId: string, amount: string) => ({
    type: 'usage' as const, serverId: 'srv-1', plan: 'p', subscriptionId, meter: 'requests', quantity: new Decimal(1), unit: 'request',
    billable: new Decimal(1), model: 'per_unit', amount: new Decimal(amount), exactAmount: new Decimal(amount),
  });
  const rerated: Invoice = {
    customer: 'acme', currency: 'USD', minorDigits: 2, status: 'draft', period, subtotal: new Decimal(0), totalExcludingTax: new Decimal(0), taxTotal: new Decimal(0),
    total: new Decimal(0), lines: [usage('a', '3.00'), usage('b', '0.40')],
  };
  const adjustments = adjustmentsFor(groups[0]!, rerated, [
    { subscriptionId: 'a', meter: 'requests', periodOfUsage: '2026-10', amount: '1.25' }, // October's own line
    { subscriptionId: 'a', meter: 'requests', periodOfUsage: '2026-10', amount: '0.75' }, // an earlier adjustment
    { subscriptionId: 'b', meter: 'requests', periodOfUsage: '2026-10', amount: '0.40' }, // b: nothing new to bill
    { subscriptionId: 'a', meter: 'requests', periodOfUsage: '2026-09', amount: '9.99' }, // another period: ignored
  ]);
  // a: 3.00 − (1.25 + 0.75) = 1.00; b: 0.40 − 0.40 = 0; cpu of b: no rated line, nothing billed = 0
  assert.deepEqual(adjustments.map((a) => [a.subscriptionId, a.late.meter, a.late.periodOfUsage, a.late.amount.toFixed(2)]), [['a', 'requests', '2026-10', '1.00']]);
  assert.deepEqual(adjustments[0]?.lineage, { subscriptionId: 'a', serverId: 'srv-1', meter: 'requests', fromMs: ms('2026-10-01T00:00:00Z'), toMs: ms('2026-10-10T00:00:00Z') });
});
