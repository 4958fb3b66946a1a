// Redis sample-id claims (pipeline/aggregate/dedup.ts) against the stack's Redis: first sighting
// counts, the same record replayed counts again (its first count was rolled back), another
// record with the id is a duplicate, duplicates inside one batch too, and the horizon is set
// once from the first sighting.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../config/env.js';
import { redisDedup, dedupKey } from '../../../pipeline/aggregate/dedup.js';

const redis = new Redis(loadConfig().redisUrl);
const prefix = `test:${randomBytes(4).toString('hex')}:`;
after(async () => {
  const keys = await redis.keysBuffer(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

test('claims: first counts, own replay counts, another record is a duplicate', async () => {
  const d = redisDedup(redis, 60_000, prefix);
  assert.deepEqual(
    await d.claim([
      { id: 'a', partition: 0, offset: '10' },
      { id: 'b', partition: 0, offset: '11' },
    ]),
    [true, true],
  );
  // Crash before the transaction committed: the same records come again → counted again.
  assert.deepEqual(await d.claim([{ id: 'a', partition: 0, offset: '10' }]), [true]);
  // A re-sent sample in a later record, or on another partition → duplicate.
  assert.deepEqual(
    await d.claim([
      { id: 'a', partition: 0, offset: '57' },
      { id: 'b', partition: 3, offset: '11' },
    ]),
    [false, false],
  );
  // Two records with one new id in the same batch: the first counts.
  assert.deepEqual(
    await d.claim([
      { id: 'c', partition: 1, offset: '1' },
      { id: 'c', partition: 1, offset: '2' },
    ]),
    [true, false],
  );
});

test('keys are 16-byte hashes with the horizon as TTL, not refreshed by later claims', async () => {
  const d = redisDedup(redis, 60_000, prefix);
  await d.claim([{ id: 'ttl', partition: 0, offset: '1' }]);
  const key = dedupKey(prefix, 'ttl');
  assert.equal(key.length, prefix.length + 16);
  const ttl1 = await redis.pttl(key);
  assert.ok(ttl1 > 0 && ttl1 <= 60_000);
  await redis.pexpire(key, 5000); // pretend time passed
  await d.claim([{ id: 'ttl', partition: 0, offset: '2' }]);
  assert.ok((await redis.pttl(key)) <= 5000, 'a duplicate does not extend the horizon');
});

test('one call for several partitions: each claim answered in its place, each mark the highest offset of its partition', async () => {
  const d = redisDedup(redis, 60_000, prefix, 'marks');
  // Interleaved partitions; offsets of different lengths ('9' < '10' as numbers, not as text).
  const keep = await d.claim([
    { id: 'm1', partition: 4, offset: '9' },
    { id: 'm2', partition: 5, offset: '100' },
    { id: 'm1', partition: 4, offset: '10' },
    { id: 'm3', partition: 5, offset: '99' },
    { id: 'm2', partition: 4, offset: '8' },
  ]);
  // One script per partition, in the order partitions first appear: partition 4's claims
  // (m1@9 new, m1@10 its duplicate, m2@8 new), then partition 5's (m2@100 a duplicate of 4:8,
  // m3@99 new) — answered in the caller's order.
  assert.deepEqual(keep, [true, false, false, true, true]);
  assert.equal(await d.restoring(4), 10n);
  assert.equal(await d.restoring(5), 100n);
});
