// Subscription boundaries from PostgreSQL (issue 12 item 3: API-created subscriptions did not
// cut windows). The feed loads every subscription's from/to, and hears each insert, update and
// delete through the trigger of migration 085 — the rows are written here with plain SQL, as
// the API's store writes them, in a fresh database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshDb } from '../../sinks/fresh-db.js';
import { createLogger } from '../../../observability/log.js';
import { subscriptionFeed } from '../../../pipeline/aggregate/subscription-feed.js';
import { catalogSplitPoints } from '../../../pipeline/aggregate/split-points.js';

const db = await freshDb('subscription_feed');
after(() => db.drop());

const ms = (iso: string): number => Date.parse(iso);

test('API subscriptions cut windows: loaded at start, then every change heard', async () => {
  await db.pool.query(`INSERT INTO customers (id, currency, source) VALUES ('acme', 'USD', 'api')`);
  await db.pool.query(
    `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, source)
     VALUES ('sub_1', 'srv-1', 'acme', 'p', '2026-10-10T12:30:00Z', 'api')`,
  );
  const heard: string[] = [];
  const waiters: Array<{ id: string; resolve: () => void }> = [];
  const feed = subscriptionFeed(db.pool, createLogger('silent'), (id) => {
    heard.push(id);
    for (const w of waiters.splice(0)) if (w.id === id) w.resolve();
    else waiters.push(w);
  });
  after(() => feed.close());
  const change = (id: string) => new Promise<void>((resolve) => waiters.push({ id, resolve }));
  await feed.ready;
  assert.deepEqual(feed.points('srv-1'), [ms('2026-10-10T12:30:00Z')]);
  assert.ok(feed.live());

  // Created over the API while the aggregate runs: srv-2 from 03:00 to 04:30.
  let heardIt = change('srv-2');
  await db.pool.query(
    `INSERT INTO subscriptions (id, server_id, customer, plan, valid_from, valid_to, source)
     VALUES ('sub_2', 'srv-2', 'acme', 'p', '2026-10-12T03:00:00Z', '2026-10-12T04:30:00Z', 'api')`,
  );
  await heardIt;
  assert.deepEqual(feed.points('srv-2'), [ms('2026-10-12T03:00:00Z'), ms('2026-10-12T04:30:00Z')]);

  // The split points the role's aggregator uses: an hour window of srv-2 is cut at 04:30, srv-1's is not.
  const split = catalogSplitPoints({ timezone: 'UTC', subscriptions: [] }, (id) => feed.points(id));
  assert.deepEqual(split('srv-2', ms('2026-10-12T04:00:00Z'), ms('2026-10-12T05:00:00Z')), [ms('2026-10-12T04:30:00Z')]);
  assert.deepEqual(split('srv-1', ms('2026-10-12T04:00:00Z'), ms('2026-10-12T05:00:00Z')), []);

  // Ended (PATCH sets `to`), then deleted.
  heardIt = change('srv-1');
  await db.pool.query(`UPDATE subscriptions SET valid_to = '2026-10-20T00:00:00Z' WHERE id = 'sub_1'`);
  await heardIt;
  assert.deepEqual(feed.points('srv-1'), [ms('2026-10-10T12:30:00Z'), ms('2026-10-20T00:00:00Z')]);
  heardIt = change('srv-2');
  await db.pool.query(`DELETE FROM subscriptions WHERE id = 'sub_2'`);
  await heardIt;
  assert.deepEqual(feed.points('srv-2'), []);
});
