// Where the aggregate role cuts windows: month starts in the catalogue zone, subscription edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { catalogSplitPoints, monthStarts } from '../../../pipeline/aggregate/split-points.js';
import type { Subscription } from '../../../catalog/types.js';

const sub = (serverId: string, from: string, to?: string): Subscription => ({
  id: `${serverId}@${from}`,
  serverId,
  customer: 'c',
  plan: 'p',
  fromMs: Date.parse(from),
  ...(to ? { toMs: Date.parse(to) } : {}),
});

test('a window containing the month start (catalogue zone) is cut there', () => {
  // Berlin: October 2026 starts at 2026-09-30T22:00Z. An hour window 21:30–22:30Z holds it.
  const split = catalogSplitPoints({ timezone: 'Europe/Berlin', subscriptions: [] });
  const s = Date.parse('2026-09-30T21:30:00Z');
  assert.deepEqual(split('srv', s, s + 3_600_000), [Date.parse('2026-09-30T22:00:00Z')]);
  // A window that starts exactly at the month start needs no cut.
  const m = Date.parse('2026-09-30T22:00:00Z');
  assert.deepEqual(split('srv', m, m + 60_000), []);
  // UTC: no cut at 22:00Z.
  assert.deepEqual(catalogSplitPoints({ timezone: 'UTC', subscriptions: [] })('srv', s, s + 3_600_000), []);
});

test("a server's subscription from/to inside a window cut it; other servers are not cut", () => {
  const split = catalogSplitPoints({
    timezone: 'UTC',
    subscriptions: [sub('a', '2026-10-10T12:30:00Z', '2026-10-12T03:00:00Z')],
  });
  const day = Date.parse('2026-10-10T00:00:00Z');
  assert.deepEqual(split('a', day, day + 86_400_000), [Date.parse('2026-10-10T12:30:00Z')]);
  assert.deepEqual(split('b', day, day + 86_400_000), []);
  const end = Date.parse('2026-10-12T02:59:00Z');
  assert.deepEqual(split('a', end, end + 120_000), [Date.parse('2026-10-12T03:00:00Z')]);
});

test('the remembered month gives what luxon gives for every instant, across zones, years and DST', () => {
  // Reference: luxon asked afresh for each instant. Zones with DST changes at midnight
  // (America/Santiago, Asia/Beirut historically), half-hour offsets, and the date line.
  const zones = ['UTC', 'Europe/Berlin', 'America/Santiago', 'Asia/Beirut', 'Asia/Kolkata', 'Pacific/Apia', 'America/Sao_Paulo'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const zone of zones) {
    const memo = monthStarts(zone);
    const fresh = (ms: number) => DateTime.fromMillis(ms, { zone }).startOf('month').toMillis();
    let t = Date.UTC(2009, 0, 1);
    // In time order with small steps (as windows come), with jumps back and forth between.
    for (let i = 0; i < 2500; i++) {
      t += next() < 0.05 ? Math.floor((next() - 0.5) * 4e9) : Math.floor(next() * 2 * 86_400_000);
      assert.equal(memo(t), fresh(t), `${zone} at ${new Date(t).toISOString()}`);
      // The instants right around the month start found.
      const m = fresh(t);
      for (const d of [-1, 0, 1]) assert.equal(memo(m + d), fresh(m + d), `${zone} at ${m + d}`);
    }
  }
});
