// Pure parts of webhooks: signatures as the Standard Webhooks library verifies them, the
// SPEC §13 backoff schedule, the SSRF address rules, and the secret box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSecret, webhookHeaders } from '../../webhooks/signature.js';
import { nextDelayMs } from '../../webhooks/backoff.js';
import { isPrivateAddress, urlProblem } from '../../webhooks/url-guard.js';
import { parseWebhookKey, secretBox } from '../../webhooks/secret-box.js';

test('a signed body verifies with the Standard Webhooks library; a changed byte does not', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'invoice.finalized', timestamp: '2026-11-01T00:00:00.000Z', data: { total: '10.00' } });
  const ts = Math.floor(Date.now() / 1000);
  const headers = webhookHeaders(secret, 'evt_1', ts, body);
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(secret).verify(body.replace('10.00', '10.01'), headers));
  // By hand: HMAC-SHA256 keyed with the base64-decoded secret over "<id>.<ts>.<body>".
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  assert.equal(headers['webhook-signature'], `v1,${createHmac('sha256', key).update(`evt_1.${ts}.${body}`).digest('base64')}`);
});

test('retries follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±10 %), then the delivery fails', () => {
  const mid = () => 0.5; // no jitter
  const hours = [1, 2, 3, 4, 5, 6, 7].map((n) => nextDelayMs(n, undefined, mid));
  assert.deepEqual(hours, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  assert.equal(nextDelayMs(8, undefined, mid), undefined);
  assert.equal(nextDelayMs(1, undefined, () => 0), 4_500);
  assert.equal(nextDelayMs(1, undefined, () => 1), 5_500);
});

test('loopback, private, link-local and unique-local addresses are refused; public ones pass', async () => {
  for (const ip of ['127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) assert.equal(isPrivateAddress(ip), false, ip);
  const resolve = async (host: string) => (host === 'internal.example' ? ['10.0.0.5'] : ['93.184.216.34']);
  assert.match((await urlProblem('https://internal.example/h', false, resolve)) ?? '', /resolves to 10\.0\.0\.5/);
  assert.equal(await urlProblem('https://hooks.example/h', false, resolve), undefined);
  assert.match((await urlProblem('http://hooks.example/h', false, resolve)) ?? '', /must be https/);
  assert.equal(await urlProblem('http://127.0.0.1:9/h', true, resolve), undefined);
  assert.match((await urlProblem('ftp://hooks.example/h', true, resolve)) ?? '', /http or https/);
  assert.match((await urlProblem('https://u:p@hooks.example/h', false, resolve)) ?? '', /credentials/);
});

test('secrets round-trip through AES-256-GCM; another key or a flipped byte is refused', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseWebhookKey(key.toString('hex')), key);
  assert.deepEqual(parseWebhookKey(key.toString('base64')), key);
  assert.equal(parseWebhookKey('too-short'), undefined);
  const box = secretBox(key);
  const sealed = box.seal('whsec_abc');
  assert.equal(box.open(sealed), 'whsec_abc');
  assert.throws(() => secretBox(randomBytes(32)).open(sealed), /does not decrypt/);
  sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 1, sealed.length - 1);
  assert.throws(() => box.open(sealed), /does not decrypt/);
});
