// Billing periods in the catalogue zone, attribution by instant, and the id set bill dedups with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionIndex } from '../../rating/attribution.js';
import { SeenIdSet } from '../../rating/embedded/seen-ids.js';
import { formatInstant, parsePeriod, periodOf, periodSeconds } from '../../rating/period.js';

test('periods are calendar months in the zone, with their real length', () => {
  // UTC October: 31 × 86400 = 2 678 400 s; February 2026 (not a leap year): 28 × 86400.
  assert.equal(periodSeconds(parsePeriod('2026-10', 'UTC')).toFixed(), '2678400');
  assert.equal(periodSeconds(parsePeriod('2026-02', 'UTC')).toFixed(), '2419200');
  assert.equal(periodSeconds(parsePeriod('2028-02', 'UTC')).toFixed(), '2505600'); // leap year: 29 days
  // Europe/Berlin October 2026 gains an hour (DST ends Oct 25): 31 d + 1 h = 2 682 000 s,
  // from 2026-09-30T22:00Z (CEST midnight) to 2026-10-31T23:00Z (CET midnight).
  const oct = parsePeriod('2026-10', 'Europe/Berlin');
  assert.equal(formatInstant(oct.startMs), '2026-09-30T22:00:00Z');
  assert.equal(formatInstant(oct.endMs), '2026-10-31T23:00:00Z');
  assert.equal(periodSeconds(oct).toFixed(), '2682000');
  // America/New_York March 2026 loses an hour (DST starts Mar 8): 31 d − 1 h = 2 674 800 s.
  assert.equal(periodSeconds(parsePeriod('2026-03', 'America/New_York')).toFixed(), '2674800');
  // The instant just before Berlin's November starts still belongs to October.
  assert.equal(periodOf(oct.endMs - 1, 'Europe/Berlin').label, '2026-10');
  assert.equal(periodOf(oct.endMs, 'Europe/Berlin').label, '2026-11');
  assert.throws(() => parsePeriod('2026-13', 'UTC'), /YYYY-MM/);
  assert.throws(() => parsePeriod('2026-1', 'UTC'), /YYYY-MM/);
});

test('attribution: from ≤ ts < to, the right one of several subscriptions', () => {
  const t = (iso: string) => Date.parse(iso);
  const idx = new SubscriptionIndex([
    { id: 'b', serverId: 's', customer: 'c', plan: 'p', fromMs: t('2026-10-16T00:00:00Z') },
    { id: 'a', serverId: 's', customer: 'c', plan: 'p', fromMs: t('2026-09-01T00:00:00Z'), toMs: t('2026-10-10T00:00:00Z') },
  ]);
  assert.equal(idx.find('s', t('2026-08-31T23:59:59.999Z')), undefined);
  assert.equal(idx.find('s', t('2026-09-01T00:00:00Z'))?.id, 'a');
  assert.equal(idx.find('s', t('2026-10-09T23:59:59.999Z'))?.id, 'a');
  assert.equal(idx.find('s', t('2026-10-10T00:00:00Z')), undefined); // to is exclusive; gap until b
  assert.equal(idx.find('s', t('2026-10-16T00:00:00Z'))?.id, 'b');
  assert.equal(idx.find('s', t('2030-01-01T00:00:00Z'))?.id, 'b'); // open-ended
  assert.equal(idx.find('other', t('2026-10-16T00:00:00Z')), undefined);
  assert.deepEqual(idx.boundariesWithin('s', t('2026-10-09T00:00:00Z'), t('2026-10-17T00:00:00Z')), [t('2026-10-10T00:00:00Z'), t('2026-10-16T00:00:00Z')]);
});

test('the dedup set remembers every id through growth and tells repeats apart', () => {
  const set = new SeenIdSet(16);
  const n = 200_000;
  for (let i = 0; i < n; i++) assert.equal(set.add(`srv-${i % 1000}-${i}`), true);
  assert.equal(set.size, n);
  for (let i = 0; i < n; i += 997) assert.equal(set.add(`srv-${i % 1000}-${i}`), false);
  // near-identical ids are different ids
  assert.equal(set.add('srv-1-1x'), true);
  assert.equal(set.add('srv-1-1X'), true);
  assert.equal(set.add(''), true);
  assert.equal(set.add(''), false);
  assert.equal(set.size, n + 3);
});
