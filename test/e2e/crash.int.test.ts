// Crash: the aggregate and sink processes are killed with SIGKILL at random points, several
// times, while they work through 200k samples; after restarts the stored rollups equal the
// reference model exactly (nothing lost, nothing counted twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG_YAML, workload, expectedRollups, rng } from './workload.js';
import { e2ePipeline, produceSamples, closeWindows, until, untilRollupsMatch } from './harness.js';

const WINDOW_MS = 5 * 60_000;
const START = Date.parse('2026-10-01T00:00:00Z') - 60 * 60_000;
const KILLS = 3;
const ROLE_ARGS = ['--session-timeout', '6s'];
const p = e2ePipeline('crash', CATALOG_YAML, {
  KAFKA_PARTITIONS: '3',
  METERLINE_WINDOW: '5m',
  METERLINE_ALLOWED_LATENESS: '2m',
  METERLINE_IDLE_TIMEOUT: '2s',
});

const start = (role: 'aggregate' | 'sink', extra: string[] = []) => p.start(role, [...ROLE_ARGS, ...extra]);

test('SIGKILL of aggregate and sink at random points changes no rollup', { timeout: 600_000 }, async () => {
  const samples = workload({
    servers: 200,
    samplesPerServer: 1000,
    stepMs: 10_000,
    startMs: START,
    lateByMs: 5 * 60_000,
    seed: 42,
  });
  assert.ok(samples.length >= 200_000, `${samples.length} samples`);
  const expected = expectedRollups(samples, WINDOW_MS);
  // The input arrives in KILLS + 1 parts, the next only after a kill: every kill falls inside
  // the run by construction (input is still missing), whatever the machine's speed.
  const part = Math.ceil(samples.length / (KILLS + 1));
  await produceSamples(p.kafka, p.topics.raw, samples.slice(0, part));

  const rand = rng(99);
  let aggregate = start('aggregate', ['--commit-interval', '300ms']);
  let sink = start('sink');
  const rows = async () =>
    Number((await p.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM rollup_parts')).rows[0]?.n);
  for (let k = 0; k < KILLS; k++) {
    // Kill only once the processes are doing work (their partitions restored, rows arriving).
    await aggregate.waitFor(/partition restored/);
    const before = await rows();
    await until(
      'new rows from the running pipeline',
      async () => (await rows()) > before,
      120_000,
      async () => `${aggregate.tail()}\n${sink.tail()}`,
    );
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 2500))); // a random point in the work, not a synchronisation
    await aggregate.kill('SIGKILL');
    if (rand() < 0.5) await new Promise((r) => setTimeout(r, Math.floor(rand() * 1000)));
    await sink.kill('SIGKILL');
    await produceSamples(p.kafka, p.topics.raw, samples.slice((k + 1) * part, (k + 2) * part));
    aggregate = start('aggregate', ['--commit-interval', '300ms']);
    sink = start('sink');
  }
  await closeWindows(p.kafka, p.topics.raw, 3, START + 2 * 86_400_000);
  await untilRollupsMatch(p, aggregate, expected, { windowMs: WINDOW_MS, groupTimeoutMs: 300_000, storedTimeoutMs: 120_000 });
  // Killed sinks left batches half-acknowledged: the replays hit the primary key, nothing doubled.
  const dup = await p.db.pool.query(
    'SELECT part_id FROM rollup_parts GROUP BY part_id, window_start HAVING count(*) > 1',
  );
  assert.equal(dup.rowCount, 0);
});
