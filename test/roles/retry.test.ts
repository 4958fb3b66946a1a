// The start-up and in-batch retry loop: transient failures are waited out, anything else is
// thrown at once, and a stop ends the waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryTransient, backoffMs, waitOut } from '../../roles/retry.js';
import { roleHealth } from '../../roles/health.js';
import { MeterlineError } from '../../lib/errors.js';
import { createLogger } from '../../observability/log.js';

const log = createLogger('silent');
const down = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

test('a transient failure is retried until the step succeeds; each wait is reported and followed by `between`', async () => {
  let calls = 0;
  const retries: number[] = [];
  let betweens = 0;
  const value = await retryTransient(
    'step',
    async () => {
      calls++;
      if (calls < 4) throw down();
      return 'done';
    },
    { log, initialDelayMs: 1, maxDelayMs: 2, onRetry: (_e, n) => retries.push(n), between: async () => void betweens++ },
  );
  assert.equal(value, 'done');
  assert.equal(calls, 4);
  assert.deepEqual(retries, [1, 2, 3]);
  assert.equal(betweens, 3);
});

test('a failure that is not transient is thrown at the first attempt', async () => {
  let calls = 0;
  const bad = Object.assign(new Error('violates check constraint'), { code: '23514' });
  await assert.rejects(
    retryTransient('step', async () => {
      calls++;
      throw bad;
    }, { log, initialDelayMs: 1 }),
    (err) => err === bad,
  );
  assert.equal(calls, 1);
});

test('aborting the signal ends the wait with the abort reason', async () => {
  const stop = new AbortController();
  const started = Date.now();
  const p = retryTransient('step', async () => {
    throw down();
  }, { log, signal: stop.signal, initialDelayMs: 60_000, maxDelayMs: 60_000 });
  setImmediate(() => stop.abort(new Error('stopping')));
  await assert.rejects(p, /stopping/);
  assert.ok(Date.now() - started < 5_000, 'did not wait out the 60 s backoff');
});

test('backoff doubles from the initial delay up to the cap, within ±20 %', () => {
  for (let i = 0; i < 50; i++) {
    const first = backoffMs(1, 200, 5000);
    assert.ok(first >= 160 && first <= 240, String(first));
    const third = backoffMs(3, 200, 5000); // 200 · 2² = 800
    assert.ok(third >= 640 && third <= 960, String(third));
    const late = backoffMs(30, 200, 5000);
    assert.ok(late >= 4000 && late <= 6000, String(late));
  }
});

test('waitOut: the role is not ready under the condition while the step waits, ready again after; heartbeats in between', async () => {
  const health = roleHealth('sink');
  const seen: (string | undefined)[] = [];
  let calls = 0;
  let beats = 0;
  const value = await waitOut(
    'sink: decoding a batch',
    async () => {
      calls++;
      seen.push(health.problems().decode);
      if (calls < 3) throw new MeterlineError('unavailable', 'Schema Registry: cannot fetch schema id 7');
      return 42;
    },
    { log, signal: new AbortController().signal, health, condition: 'decode', heartbeat: async () => void beats++ },
  );
  assert.equal(value, 42);
  assert.deepEqual(seen, [undefined, 'sink: decoding a batch: Schema Registry: cannot fetch schema id 7', 'sink: decoding a batch: Schema Registry: cannot fetch schema id 7']);
  assert.equal(beats, 2);
  assert.deepEqual(health.problems(), {});
});
