// The crash suite's short version (run.ts; the long one is `npm run test:chaos`): on a stack of
// its own, a month of four servers' traffic through HTTP ingest while ingest, aggregate, sink
// and rate are each SIGKILLed twice at random moments and Redis is SIGKILLed once (a process
// crash: the AOF keeps every acknowledged claim); the stored rollups equal the reference model
// and the API's invoices equal `meterline bill` over the same sample file, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from './run.js';

const SEED = 20261204;

test('SIGKILLs of every role and a Redis crash change no rollup and no invoice', { timeout: 400_000 }, async () => {
  const lines: string[] = [];
  const r = await runChaos({
    servers: 4,
    stepMin: 60,
    seed: SEED,
    killsPerRole: 2,
    restarts: [],
    redisCrashLossMs: 0,
    maxGapMs: 1500,
    timeoutMs: 360_000,
    print: (l) => {
      lines.push(l);
      if (process.env.CHAOS_VERBOSE) console.log(l);
    },
  });
  const timeline = r.timeline.join('\n');
  // The schedule really happened: 8 kills and the crash, all while traffic was still arriving.
  assert.equal(r.timeline.filter((l) => /SIGKILL (ingest|aggregate|sink|rate) pid/.test(l)).length, 8, timeline);
  assert.equal(r.timeline.filter((l) => / redis crash /.test(l)).length, 1, timeline);
  assert.ok(r.rollupLines > 4 * 24 * 30 * 3, `${r.rollupLines} rollup windows compared`); // 4 servers × ≥ 30 days of hours × ≥ 3 meters
  assert.match(r.invoices, /^acme: \d+ lines.*; beta: \d+ lines/);
  assert.deepEqual(r.selfExits, [], timeline);
  assert.deepEqual(r.rollupDiff, [], `rollups differ from the reference (seed ${SEED}):\n${timeline}`);
  assert.deepEqual(r.invoiceDiff, [], `invoices differ from meterline bill (seed ${SEED}):\n${timeline}`);
});
