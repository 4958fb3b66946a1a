// Creating a webhook whose host does not resolve at that moment (no DNS, a name not published
// yet): SPEC §13 asks that URLs "must be https and resolve to public addresses", and the
// deliveries are where that matters — every attempt checks the URL again. So creation accepts an
// unresolvable https name, refuses one that resolves to a private address, and a delivery
// attempt to a name that does not resolve is a failed attempt, never a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebhookRequest } from '../../webhooks/service.js';
import { urlProblem, type Resolver } from '../../webhooks/url-guard.js';

const offline: Resolver = async (host) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
const internal: Resolver = async () => ['10.0.0.5'];
const body = (url: string) => JSON.stringify({ url, events: ['invoice.finalized'] });

test('creation: an https name that does not resolve now is accepted; one that resolves privately is not', async () => {
  assert.deepEqual(await parseWebhookRequest(body('https://hooks.example.com/meterline'), { allowPrivate: false, resolve: offline }), {
    url: 'https://hooks.example.com/meterline',
    events: ['invoice.finalized'],
  });
  await assert.rejects(parseWebhookRequest(body('https://hooks.example.com/x'), { allowPrivate: false, resolve: internal }), (err: Error & { problems?: { path: string; message: string }[] }) => {
    assert.equal(err.problems?.[0]?.path, 'url');
    assert.match(err.problems?.[0]?.message ?? '', /resolves to 10\.0\.0\.5/);
    return true;
  });
  // Still https only, whatever DNS says.
  await assert.rejects(parseWebhookRequest(body('http://hooks.example.com/x'), { allowPrivate: false, resolve: offline }), /must be https|webhook/);
});

test('delivery: the same unresolvable name is a problem (the attempt fails and is retried later)', async () => {
  assert.match((await urlProblem('https://hooks.example.com/meterline', false, offline)) ?? '', /does not resolve/);
});

test('reserved names are decided without DNS: localhost names are loopback, .invalid never resolves', async () => {
  for (const url of ['https://localhost/x', 'https://hooks.localhost/x', 'https://LOCALHOST./x']) {
    assert.match((await urlProblem(url, false, offline, 'accept')) ?? '', /loopback name/, url);
  }
  assert.match((await urlProblem('https://hooks.invalid/x', false, offline, 'accept')) ?? '', /does not resolve/);
  assert.equal(await urlProblem('http://localhost:9/x', true, offline), undefined, 'development allows loopback');
});
