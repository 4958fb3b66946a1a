// Where the aggregate role cuts windows: month starts in the catalogue zone, subscription edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogSplitPoints } from '../../../pipeline/aggregate/split-points.js';
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
