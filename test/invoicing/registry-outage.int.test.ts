// The rate role (invoicing/rate-role.ts) when the Schema Registry cannot be reached while it
// decodes rollup parts: the parts are good, so they must reach rating_parts once the registry
// answers, not the DLQ (a part lost there is usage no invoice ever bills).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../observability/log.js';
import { startRate } from '../../invoicing/rate-role.js';
import { catalog } from './fixtures.js';
import { registryOutageScenario } from '../sinks/registry-outage-scenario.js';

test('a Schema Registry outage while decoding parts delays them; every part reaches rating_parts, none dead-lettered', async () => {
  const s = await registryOutageScenario('rate');
  const rate = await startRate({
    kafka: s.kafka,
    pool: s.db.pool,
    serde: s.serde,
    topics: { rollups: s.topics.rollups, dlq: s.topics.dlq },
    ctx: { catalog: catalog(), now: () => Date.UTC(2026, 10, 1) },
    log: createLogger('silent'),
    groupId: `${s.prefix}meterline-rate`,
    onBatch: s.onBatch,
  });
  after(() => rate.stop());
  await s.done;
  const { rows } = await s.db.pool.query<{ n: number; s: string }>(
    "SELECT count(*)::int AS n, sum((state->>'sum')::numeric)::text AS s FROM rating_parts",
  );
  // 1 + 2 + 3 + 4 + 5 = 15
  assert.deepEqual(rows[0], { n: 5, s: '15' });
});
