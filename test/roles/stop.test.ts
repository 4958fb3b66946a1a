// Stopping roles on SIGTERM: all at once, and never waiting past the deadline for one stuck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopRoles } from '../../roles/stop.js';
import { createLogger } from '../../observability/log.js';

const log = createLogger('silent');
const role = (ms: number, stopped: string[], name: string) => ({
  name,
  role: {
    stop: () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          stopped.push(name);
          r();
        }, ms),
      ),
  },
});

test('roles stop concurrently: three of 100 ms take about 100 ms, not 300', async () => {
  const stopped: string[] = [];
  const t0 = Date.now();
  await stopRoles([role(100, stopped, 'a'), role(100, stopped, 'b'), role(100, stopped, 'c')], log, 5000);
  assert.deepEqual(stopped.sort(), ['a', 'b', 'c']);
  assert.ok(Date.now() - t0 < 250, `${Date.now() - t0} ms`);
});

test('a role stuck in stop() is left behind at the deadline; a failing one does not stop the others', async () => {
  const stopped: string[] = [];
  const failing = { name: 'bad', role: { stop: () => Promise.reject(new Error('boom')) } };
  const t0 = Date.now();
  await stopRoles([role(3000, stopped, 'stuck'), failing, role(10, stopped, 'quick')], log, 200);
  assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  assert.deepEqual(stopped, ['quick']);
});
