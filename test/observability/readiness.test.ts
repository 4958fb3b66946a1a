// Readiness probes: timeout, caching, shared in-flight probe; consumer lag arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadiness } from '../../observability/readiness.js';
import { lagOf } from '../../observability/consumer-lag.js';

test('a probe slower than the timeout is reported down with the reason', async () => {
  let release: () => void = () => undefined;
  const r = createReadiness({
    timeoutMs: 20,
    probes: { db: async () => undefined, kafka: () => new Promise<void>((res) => (release = res)) },
  });
  const report = await r.check();
  release();
  assert.equal(report.ready, false);
  assert.equal(report.checks.db?.ok, true);
  assert.equal(report.checks.kafka?.ok, false);
  assert.match(report.checks.kafka?.error ?? '', /no answer within 20 ms/);
});

test('results are reused for cacheMs and concurrent checks share one probe', async () => {
  let calls = 0;
  let nowMs = 1000;
  let fail = false;
  const r = createReadiness({
    cacheMs: 500,
    now: () => nowMs,
    probes: {
      db: async () => {
        calls++;
        if (fail) throw new Error('connection refused');
      },
    },
  });
  const [a, b] = await Promise.all([r.check(), r.check()]);
  assert.equal(calls, 1);
  assert.ok(a.ready && b.ready);
  fail = true;
  nowMs += 499; // still cached: the failure is not seen yet
  assert.equal((await r.check()).ready, true);
  assert.equal(calls, 1);
  nowMs += 1; // 500 ms after the first probe: probed again
  const later = await r.check();
  assert.equal(calls, 2);
  assert.deepEqual(later.checks.db, { ok: false, error: 'connection refused', ms: later.checks.db?.ms });
});

test('no probes: ready', async () => {
  assert.deepEqual(await createReadiness().check(), { ready: true, checks: {} });
});

test('consumer lag: high watermark minus committed; nothing committed counts from the log start', () => {
  const lag = lagOf(
    [
      { partition: 0, low: '0', high: '120' },
      { partition: 1, low: '40', high: '100' },
      { partition: 2, low: '0', high: '5' },
    ],
    [
      { partition: 0, offset: '100' }, // 120 − 100 = 20
      { partition: 1, offset: '-1' }, // none committed: 100 − 40 = 60
      { partition: 2, offset: '9' }, // committed past the end (truncated topic): 0, never negative
    ],
  );
  assert.deepEqual([...lag], [[0, 20n], [1, 60n], [2, 0n]]);
});
