// The sink role (sinks/role.ts) when the Schema Registry cannot be reached while it decodes
// rollup parts: the parts are good, so they must be stored once the registry answers, not sent
// to the DLQ (a part lost there is usage never stored: under-billing in every view).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../observability/log.js';
import { startSink } from '../../sinks/role.js';
import { registryOutageScenario } from './registry-outage-scenario.js';

test('a Schema Registry outage while decoding parts delays them; every part is stored, none dead-lettered', async () => {
  const s = await registryOutageScenario('sink');
  const sink = await startSink({
    kafka: s.kafka,
    pool: s.db.pool,
    serde: s.serde,
    topics: { rollups: s.topics.rollups, dlq: s.topics.dlq },
    log: createLogger('silent'),
    groupId: `${s.prefix}meterline-sink`,
    onBatch: s.onBatch,
  });
  after(() => sink.stop());
  await s.done;
  const { rows } = await s.db.pool.query<{ n: number; s: string }>(
    'SELECT count(*)::int AS n, sum(sum)::text AS s FROM rollup_parts',
  );
  // 1 + 2 + 3 + 4 + 5 = 15
  assert.deepEqual(rows[0], { n: 5, s: '15' });
});
