// Rebalance: a second aggregate process joins while the first is working (it takes over some
// partitions, fencing the first's transactions and restoring their state from the changelog)
// and later leaves again (its partitions go back). The stored rollups equal the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG_YAML, workload, expectedRollups } from './workload.js';
import { e2ePipeline, produceSamples, closeWindows, until, untilRollupsMatch } from './harness.js';

const WINDOW_MS = 60_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const p = e2ePipeline('rebal', CATALOG_YAML, {
  KAFKA_PARTITIONS: '4',
  METERLINE_WINDOW: '1m',
  METERLINE_ALLOWED_LATENESS: '2m',
  METERLINE_IDLE_TIMEOUT: '2s',
});

const start = (role: 'aggregate' | 'sink') =>
  p.start(role, ['--session-timeout', '6s', ...(role === 'aggregate' ? ['--commit-interval', '300ms'] : [])]);

test(
  'a second aggregate process joining and leaving mid-run changes no rollup',
  { timeout: 300_000 },
  async () => {
    const samples = workload({
      servers: 40,
      samplesPerServer: 600,
      stepMs: 10_000,
      startMs: START,
      lateByMs: 5 * 60_000,
      seed: 3,
    });
    const expected = expectedRollups(samples, WINDOW_MS);
    const third = Math.ceil(samples.length / 3);
    const rows = async () =>
      Number((await p.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM rollup_parts')).rows[0]?.n);
    const moreRows = async (what: string) => {
      const before = await rows();
      await until(what, async () => (await rows()) > before, 120_000);
    };

    await produceSamples(p.kafka, p.topics.raw, samples.slice(0, third));
    const first = start('aggregate');
    start('sink');
    await moreRows('rows from the first aggregate process');

    const second = start('aggregate');
    await second.waitFor(/partition restored/); // it joined and took partitions over
    await first.waitFor(/partition revoked/);
    await produceSamples(p.kafka, p.topics.raw, samples.slice(third, 2 * third));
    await moreRows('rows while two aggregate processes share the partitions');

    second.child.kill('SIGTERM'); // leaves the group cleanly
    assert.equal(await second.exited, 0, second.tail());
    await produceSamples(p.kafka, p.topics.raw, samples.slice(2 * third));
    await closeWindows(p.kafka, p.topics.raw, 4, START + 86_400_000);

    await untilRollupsMatch(p, first, expected, { windowMs: WINDOW_MS, groupTimeoutMs: 180_000, storedTimeoutMs: 90_000 });
  },
);
