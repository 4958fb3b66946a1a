// Smoke test of the local Redis: SET/GET round-trips, and the append-only file is on
// (deduplication state must survive a restart).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/env.js';

const redis = new Redis(loadConfig().redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
after(() => redis.quit());

test('SET then GET returns the value; NX refuses a second writer', async () => {
  const key = `test:stack:${randomBytes(6).toString('hex')}`;
  assert.equal(await redis.set(key, 'first', 'PX', 60_000, 'NX'), 'OK');
  assert.equal(await redis.set(key, 'second', 'PX', 60_000, 'NX'), null);
  assert.equal(await redis.get(key), 'first');
  await redis.del(key);
});

test('the append-only file is enabled', async () => {
  // Our stack's instance must persist every write; a managed Redis may refuse CONFIG, so only
  // a loopback one is asked.
  if (new URL(loadConfig().redisUrl).hostname === '127.0.0.1') {
    assert.deepEqual(await redis.config('GET', 'appendonly'), ['appendonly', 'yes']);
  }
});
