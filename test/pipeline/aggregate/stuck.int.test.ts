// A partition that cannot make progress is reported (issue 12 item 5: the role retried forever
// while /readyz stayed green). The changelog of partition 0 holds a meta record nobody can read:
// every restore fails; after three in a row problems() names the partition and the reason.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rollupTopics } from '../../sinks/rollup-topics.js';
import { plainSerde } from '../../../avro/serde.js';
import { createLogger } from '../../../observability/log.js';
import { startAggregate, type AggregateRole } from '../../../pipeline/aggregate/role.js';
import { meter, MIN } from '../aggregation/helpers.js';
import { countAll } from './fake-dedup.js';

const roles: AggregateRole[] = [];
after(async () => {
  for (const r of roles) await r.stop().catch(() => undefined);
});

test('a partition whose state cannot be restored is reported, naming the partition and the reason', async () => {
  const { prefix, kafka, topics } = await rollupTopics('stuck'); // fresh topics, own prefix
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  // Format 2 is plain JSON: "version 9" is unreadable (decodeMeta refuses it by name).
  const bad = { version: 9, partition: 0, nextOffset: '1' };
  await producer.send({ topic: topics.aggregateState, acks: -1, messages: [{ key: '0', partition: 0, value: JSON.stringify(bad) }] });
  await producer.disconnect();
  const role = await startAggregate({
    kafka,
    serde: plainSerde(),
    dedup: countAll(),
    topics: { raw: topics.raw, rollups: topics.rollups, dlq: topics.dlq, state: topics.aggregateState },
    aggregator: { meters: [meter('requests', 'http_requests', 'delta', 'sum')], windowMs: MIN, allowedLatenessMs: 0, idleTimeoutMs: Infinity },
    log: createLogger('silent'),
    groupId: `${prefix}meterline-aggregate`,
  });
  roles.push(role);
  const deadline = Date.now() + 60_000;
  while (Object.keys(role.problems()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const problems = role.problems();
  assert.deepEqual(Object.keys(problems), ['partition 0']);
  assert.match(problems['partition 0'] ?? '', /3 failed commits\/restores in a row; last: .*unreadable checkpoint \(version 9\)/);
  assert.ok(!role.owned().includes(0));
});
