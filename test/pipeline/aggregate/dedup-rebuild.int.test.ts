// Claims Redis lost (pipeline/aggregate/dedup-rebuild.ts, dedup.ts) against the stack's Redis
// and Kafka: the last claim script's effects vanish as in a machine crash under appendfsync
// everysec, the restore rebuilds them from a real topic, and afterwards a re-sent sample (another
// offset) is refused while a replay of the very record (its transaction aborted) still counts.
// Also: a running process notices the loss at its next claim and writes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../../config/env.js';
import { createKafka } from '../../../kafka/client.js';
import { plainSerde } from '../../../avro/serde.js';
import { sampleToRecord } from '../../../avro/records.js';
import { createLogger } from '../../../observability/log.js';
import { redisDedup, dedupKey, markKey, LostClaimsError } from '../../../pipeline/aggregate/dedup.js';
import { rebuildClaims } from '../../../pipeline/aggregate/dedup-rebuild.js';
import { T0, MIN } from '../aggregation/helpers.js';
import { createFreshTopics } from '../../kafka/fresh-topics.js';

const config = loadConfig();
const redis = new Redis(config.redisUrl);
const prefix = `test:${randomBytes(4).toString('hex')}:`;
const kafka = createKafka(config.kafka, { role: 'test', level: 'error' });
const serde = plainSerde();
const log = createLogger('silent');
const HORIZON = 60_000;
after(async () => {
  const keys = await redis.keysBuffer(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A fresh two-partition topic; partition 0 gets `ids` in order (null = an undecodable record). */
async function topicWith(ids: readonly (string | null)[]): Promise<string> {
  const topic = `t${randomBytes(4).toString('hex')}.dedup-rebuild.raw`;
  const admin = kafka.admin();
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 2 }]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = [];
  for (const [i, id] of ids.entries()) {
    const s = { id: id ?? '', serverId: 'srv-1', tsMs: T0 + i * MIN, metrics: { http_requests: '1' }, labels: {} };
    const value = id === null ? Buffer.from('not avro') : await serde.encode('sample', topic, sampleToRecord(s));
    messages.push({ key: 'srv-1', partition: 0, value });
  }
  await producer.send({ topic, acks: -1, messages });
  // Something on the other partition too: the rebuild must read partition 0 only.
  await producer.send({ topic, acks: -1, messages: [{ key: 'x', partition: 1, value: Buffer.from('other') }] });
  await producer.disconnect();
  return topic;
}

// Offsets: 0–3 s0–s3, 4 s4, 5 undecodable, 6 s4 again (an agent's re-send), 7 s7.
const IDS = ['s0', 's1', 's2', 's3', 's4', null, 's4', 's7'];
const claimsOf = (from: number, to: number) =>
  IDS.slice(from, to).flatMap((id, i) => (id === null ? [] : [{ id, partition: 0, offset: String(from + i) }]));

for (const loss of ['mark rolled back', 'mark gone'] as const) {
  test(`restore rebuilds lost claims from Kafka (${loss})`, async () => {
    const topic = await topicWith(IDS);
    const before = redisDedup(redis, HORIZON, prefix, topic);
    assert.deepEqual(await before.claim(claimsOf(0, 4)), [true, true, true, true]);
    // s4 at 4 first sighting, s4 at 6 a duplicate, s7 counts (the undecodable record claims nothing).
    assert.deepEqual(await before.claim(claimsOf(4, 8)), [true, false, true]);
    // The aggregate committed offsets 0–7 (checkpoint 8); then Redis loses the last script's
    // effects: claims s4, s7 and the mark's raise to 7.
    await redis.del(dedupKey(prefix, 's4'), dedupKey(prefix, 's7'));
    if (loss === 'mark rolled back') await redis.set(markKey(prefix, topic, 0), '3');
    else await redis.del(markKey(prefix, topic, 0));

    const after = redisDedup(redis, HORIZON, prefix, topic); // the restarted process
    const read = await rebuildClaims({ kafka, serde, dedup: after, topic, log }, 0, '8');
    // Rolled back to 3: offsets 4–7 re-read; gone: the whole horizon, offsets 0–7.
    assert.equal(read, loss === 'mark rolled back' ? 4 : 8);
    assert.equal(await redis.get(dedupKey(prefix, 's4')), '0:4', 'the first record with the id holds it');
    assert.equal(await redis.get(dedupKey(prefix, 's7')), '0:7');
    const ttl = await redis.pttl(dedupKey(prefix, 's7'));
    assert.ok(ttl > 0 && ttl <= HORIZON, `ttl ${ttl} within the horizon`);
    assert.equal(await redis.get(markKey(prefix, topic, 0)), '7');
    // A later re-send of s4 and s7 (other offsets) is refused; replays of offsets 4 and 7 count.
    assert.deepEqual(
      await after.claim([
        { id: 's4', partition: 0, offset: '9' },
        { id: 's7', partition: 0, offset: '10' },
      ]),
      [false, false],
    );
    assert.deepEqual(await after.claim(claimsOf(4, 8)), [true, false, true]);
  });
}

test('nothing to rebuild: mark at the checkpoint, or a partition never consumed', async () => {
  const topic = await topicWith(['a0', 'a1']);
  const d = redisDedup(redis, HORIZON, prefix, topic);
  assert.deepEqual(await d.claim([{ id: 'a0', partition: 0, offset: '0' }, { id: 'a1', partition: 0, offset: '1' }]), [true, true]);
  await redis.del(dedupKey(prefix, 'a1')); // would be rebuilt if the rebuild wrongly read
  assert.equal(await rebuildClaims({ kafka, serde, dedup: d, topic, log }, 0, '2'), 0);
  assert.equal(await rebuildClaims({ kafka, serde, dedup: d, topic, log }, 1, undefined), 0);
  assert.equal(await redis.get(dedupKey(prefix, 'a1')), null);
});

test('a running process notices lost claims at its next claim and writes nothing', async () => {
  const scope = `running-${randomBytes(4).toString('hex')}`;
  const d = redisDedup(redis, HORIZON, prefix, scope);
  assert.deepEqual(await d.claim([{ id: 'r0', partition: 3, offset: '40' }, { id: 'r1', partition: 3, offset: '41' }]), [true, true]);
  // Another partition's and another process's claims do not disturb it.
  assert.deepEqual(await redisDedup(redis, HORIZON, prefix, scope).claim([{ id: 'q', partition: 3, offset: '50' }]), [true]);
  assert.deepEqual(await d.claim([{ id: 'r2', partition: 3, offset: '42' }]), [true]);
  // Redis loses the mark's last second: back to 39, below our own last claim (42).
  await redis.set(markKey(prefix, scope, 3), '39');
  await assert.rejects(d.claim([{ id: 'r3', partition: 3, offset: '43' }]), LostClaimsError);
  assert.equal(await redis.get(dedupKey(prefix, 'r3')), null, 'the failed batch claimed nothing');
  assert.equal(await redis.get(markKey(prefix, scope, 3)), '39', 'nor raised the mark');
  // A mark gone entirely is a loss too.
  await redis.del(markKey(prefix, scope, 3));
  await assert.rejects(d.claim([{ id: 'r3', partition: 3, offset: '43' }]), LostClaimsError);
  // After the restore (which rebuilds up to the checkpoint and forgets our last claim) it claims again.
  await d.restoring(3);
  await d.rebuild(3, [], 42n);
  assert.deepEqual(await d.claim([{ id: 'r3', partition: 3, offset: '43' }]), [true]);
  assert.equal(await redis.get(markKey(prefix, scope, 3)), '43');
});

test('a fenced zombie cannot lower the mark', async () => {
  const scope = `zombie-${randomBytes(4).toString('hex')}`;
  const owner = redisDedup(redis, HORIZON, prefix, scope);
  const zombie = redisDedup(redis, HORIZON, prefix, scope);
  await owner.claim([{ id: 'z9', partition: 0, offset: '90' }]);
  assert.deepEqual(await zombie.claim([{ id: 'z1', partition: 0, offset: '10' }]), [true]);
  await zombie.rebuild(0, [], 5n);
  assert.equal(await redis.get(markKey(prefix, scope, 0)), '90');
});
