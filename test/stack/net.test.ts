// Port checks and the readiness poll: a taken port is seen as taken, polling stops early with
// the abort reason, and a timeout names what was awaited and the last error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { portFree, tcpAnswers, waitUntil } from '../../stack/net.js';

test('a listening port is neither free nor silent; once closed it is free again', async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  assert.equal(await portFree(port), false);
  assert.equal(await tcpAnswers(port), true);
  await new Promise((r) => server.close(r));
  assert.equal(await portFree(port), true);
  assert.equal(await tcpAnswers(port), false);
});

test('waitUntil resolves once the probe succeeds', async () => {
  let calls = 0;
  await waitUntil(async () => ++calls === 3, { what: 'thing', timeoutMs: 5000, intervalMs: 1 });
  assert.equal(calls, 3);
});

test('waitUntil gives up with the abort reason', async () => {
  await assert.rejects(
    waitUntil(async () => false, {
      what: 'thing',
      timeoutMs: 5000,
      intervalMs: 1,
      abort: () => 'thing: the process exited',
    }),
    /^Error: thing: the process exited$/,
  );
});

test('waitUntil times out naming what it waited for and the last probe error', async () => {
  await assert.rejects(
    waitUntil(
      async () => {
        throw new Error('connection refused');
      },
      { what: 'kafka on 127.0.0.1:1', timeoutMs: 20, intervalMs: 5 },
    ),
    /kafka on 127\.0\.0\.1:1: not ready after 0 s \(last error: connection refused\)/,
  );
});
