// The node-rdkafka acknowledged producer through a broker stop and start: acknowledged before,
// `unavailable` within the ack timeout while the broker is away (the process carries on), and
// acknowledged again afterwards by the same producer, without a restart. Runs its own broker
// (own stack dir and ports), as test/roles/kafka-restart does: the shared one is never stopped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadConfig } from '../../../config/env.js';
import { kafka } from '../../../stack/kafka.js';
import { down, up } from '../../../stack/stack.js';
import { createKafka } from '../../../kafka/client.js';
import { createRdkafkaAckedProducer } from '../../../kafka/rdkafka/acked-client.js';
import { isKind } from '../../../lib/errors.js';
import { collect } from '../read-topic.js';
import { ownStack, quiet } from '../../stack/own-stack.js';
import { createFreshTopics } from '../fresh-topics.js';

const { settings: s, dir } = await ownStack('rdkafka-restart', (p) => [p.kafka, p.kafkaController]);
after(async () => {
  await down(s, quiet, [kafka]);
  rmSync(dir, { recursive: true, force: true });
});

test('broker stopped: unavailable, process up; broker started again: the same producer is acknowledged again', { timeout: 300_000 }, async () => {
  await up(s, quiet, [kafka]);
  const config = loadConfig({ ...process.env, KAFKA_BROKERS: `127.0.0.1:${s.ports.kafka}` });
  const topic = 'rdkafka-restart';
  const admin = createKafka(config.kafka, { level: 'nothing' }).admin();
  await admin.connect();
  await createFreshTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
  await admin.disconnect();

  const p = createRdkafkaAckedProducer(config.kafka, { ackTimeoutMs: 2000, closeTimeoutMs: 1000 });
  const rec = (v: string) => ({ topic, key: `srv-${v}`, value: Buffer.from(v) });
  try {
    await p.send([rec('before')]);

    await down(s, quiet, [kafka]);
    const t0 = Date.now();
    await assert.rejects(p.send([rec('during')]), (err) => isKind(err, 'unavailable'));
    assert.ok(Date.now() - t0 < 6000, `answered within the ack timeout (took ${Date.now() - t0} ms)`);

    await up(s, quiet, [kafka]);
    // An agent re-sends until accepted (bounded); the first tries may still be refused while
    // the record abandoned during the outage is delivered.
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await p.send([rec('after')]);
        break;
      } catch (err) {
        assert.ok(isKind(err, 'unavailable'), String(err));
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250)); // the client's back-off between retries
      }
    }
    const reader = await collect(createKafka(config.kafka, { level: 'nothing' }), [topic]);
    try {
      const values = () => reader.got.map((g) => g.message.value?.toString());
      await reader.until(() => values().includes('before') && values().includes('after'), 'the records acknowledged before and after', 60_000);
    } finally {
      await reader.stop();
    }
  } finally {
    await p.close();
  }
});
