// A consumer kafkajs does not restart: a handler failing with an error kafkajs calls
// unrecoverable (a TypeError) crashes it with restart=false, which used to leave the process
// running and consuming nothing. Supervised, it is not ready meanwhile, restarted, and the
// record is handled on the next try.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { createLogger } from '../../observability/log.js';
import { roleHealth } from '../../roles/health.js';
import { consumeSupervised } from '../../roles/supervise-consumer.js';
import { createFreshTopics } from '../kafka/fresh-topics.js';

test('a crash kafkajs will not restart is restarted; not ready until the group is joined again', { timeout: 120_000 }, async () => {
  const config = loadConfig();
  const kafka = createKafka(config.kafka, { role: 'test', level: 'nothing' });
  const topic = `t${randomBytes(4).toString('hex')}.supervise`;
  const admin = kafka.admin();
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 1 }]);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'one' }] });

  const health = roleHealth('test');
  const problems: string[] = [];
  let attempts = 0;
  let handled: () => void = () => undefined;
  const done = new Promise<void>((r) => (handled = r));
  const consumer = kafka.consumer({ groupId: `${topic}.group`, retry: { retries: 0 } });
  // While it is down, the role's check says so. Listened for before the consumer starts: the
  // first batch (and so the crash) can come before consumeSupervised() returns.
  const crashed = new Promise<string | undefined>((resolve) => {
    consumer.on(consumer.events.CRASH, (e) => setImmediate(() => resolve(e.payload.restart ? 'kafkajs restarts it' : health.problems().consumer)));
  });
  const supervised = await consumeSupervised(
    consumer,
    producer,
    topic,
    {
      eachBatch: async ({ batch }) => {
        attempts++;
        if (attempts === 1) {
          problems.push(...Object.values(health.problems()));
          throw new TypeError('a bug on the first try');
        }
        if (batch.messages.some((m) => m.value?.toString() === 'one')) handled();
      },
    },
    { role: 'test', log: createLogger('silent'), health },
  );
  // One ordered clean-up: the consumer leaves before its topic is deleted (a consumer whose
  // topic disappears keeps asking for its metadata).
  // Each step bounded: a clean-up that hangs (seen once in a clean-clone run) must fail the file,
  // not hold the whole suite.
  const bounded = (what: string, p: Promise<unknown>) =>
    Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`clean-up: ${what} took over 15 s`)), 15_000).unref())]);
  after(async () => {
    supervised.stop();
    await bounded('consumer.disconnect', consumer.disconnect());
    await bounded('producer.disconnect', producer.disconnect());
    await bounded('deleteTopics', admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
    await bounded('admin.disconnect', admin.disconnect());
  });
  assert.match((await crashed) ?? '', /crashed \(.*a bug on the first try.*\); restarting/);
  await done;
  assert.ok(attempts >= 2);
  assert.deepEqual(problems, [], 'ready before the crash');
  // Ready again: the record was handled after the consumer rejoined, and the join cleared the mark.
  assert.deepEqual(health.problems(), {});
});
