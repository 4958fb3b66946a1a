// Stopping the HTTP server while a keep-alive client posts request after request (an agent
// under load): close() alone keeps serving that connection for as long as it sends — seen as
// `meterline run` taking 6–26 s (and 54 s under loadgen) to exit after SIGTERM. Now the requests
// in flight finish, answer Connection: close, and stop() resolves promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Hono } from 'hono';
import { listen } from '../../api/serve.js';

test('stop() resolves promptly under a busy keep-alive client; the answers after it say Connection: close', async () => {
  const app = new Hono();
  let entered = 0;
  let sixthEntered: () => void = () => undefined;
  const sixth = new Promise<void>((r) => (sixthEntered = r));
  app.post('/work', async (c) => {
    if (++entered === 6) sixthEntered();
    await new Promise((r) => setTimeout(r, 20)); // a request takes a moment (Kafka's acknowledgement)
    return c.text('ok');
  });
  const server = await listen(app, 0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = () =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/work', method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end('x');
    });
  // The client keeps its one connection busy until the server closes it.
  const answers: { status: number; connection: string | undefined }[] = [];
  let closedOnUs = false;
  const client = (async () => {
    for (let i = 0; i < 1000 && !closedOnUs; i++) {
      try {
        answers.push(await post());
      } catch {
        closedOnUs = true; // refused: the server is no longer listening
      }
    }
  })();
  // Stop while the sixth request is being handled.
  await sixth;
  const started = Date.now();
  await server.stop();
  const tookMs = Date.now() - started;
  await client;
  agent.destroy();
  assert.ok(tookMs < 2000, `stop() took ${tookMs} ms`);
  assert.ok(answers.every((a) => a.status === 200));
  // The answer to the request in flight when stop() began told the client to go away.
  assert.equal(answers.length, 6);
  assert.equal(answers.at(-1)?.connection, 'close');
  assert.ok(closedOnUs, 'the client could not go on using the server');
});
