// Per-key rate limit on the real app (createApp, in-process requests) with a controlled clock:
// burst, refill, 429 with Retry-After, keys counted apart, and nothing of the secret in the answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../api/app.js';
import { generateKey } from '../../api/auth/keys.js';
import { createLogger } from '../../observability/log.js';

function setup(perSecond: number, burst: number) {
  let clock = 0;
  const app = createApp({ log: createLogger('silent'), keyRateLimit: { perSecond, burst, now: () => clock } });
  app.get('/x', (c) => c.json({ ok: true }));
  const call = (secret?: string) => app.request('/x', { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  return { call, tick: (ms: number) => (clock += ms) };
}

test('a key gets its burst, then 429 with Retry-After until tokens come back', async () => {
  const t = setup(2, 3); // 2 requests/s, 3 at once
  const a = generateKey().secret;
  for (let i = 0; i < 3; i++) assert.equal((await t.call(a)).status, 200, `request ${i + 1} of the burst`);
  const over = await t.call(a);
  assert.equal(over.status, 429);
  // 0 tokens, refilled at 2/s: one token back after 0.5 s → Retry-After rounds up to 1 s
  assert.equal(over.headers.get('retry-after'), '1');
  const body = (await over.json()) as { error: string };
  assert.match(body.error, /more than 2 requests a second/);
  assert.ok(!body.error.includes(a) && !body.error.includes(a.slice(3, 12)), 'the answer names no part of the secret');
  t.tick(499);
  assert.equal((await t.call(a)).status, 429, '0.998 tokens after 499 ms');
  t.tick(1);
  assert.equal((await t.call(a)).status, 200, 'one token after 500 ms');
  assert.equal((await t.call(a)).status, 429);
  t.tick(10_000);
  // refilled to the burst (3), not beyond: 20 tokens' worth of time gives 3 requests
  for (let i = 0; i < 3; i++) assert.equal((await t.call(a)).status, 200);
  assert.equal((await t.call(a)).status, 429);
});

test('keys are counted apart; requests without a key pass through to the routes', async () => {
  const t = setup(1, 1);
  const a = generateKey().secret;
  const b = generateKey().secret;
  assert.equal((await t.call(a)).status, 200);
  assert.equal((await t.call(a)).status, 429);
  assert.equal((await t.call(b)).status, 200, 'another key has its own bucket');
  for (let i = 0; i < 5; i++) assert.equal((await t.call()).status, 200, 'no key: the route decides (401 on guarded routes)');
});

test('a slow limit asks for a longer wait: 1 request per 10 s → Retry-After 10', async () => {
  const t = setup(0.1, 1);
  const a = generateKey().secret;
  assert.equal((await t.call(a)).status, 200);
  assert.equal((await t.call(a)).headers.get('retry-after'), '10');
});

test('METERLINE_KEY_RATE_LIMIT=0 turns the limit off', async () => {
  const t = setup(0, 1);
  const a = generateKey().secret;
  for (let i = 0; i < 20; i++) assert.equal((await t.call(a)).status, 200);
});
