// The key that seals webhook secrets: the configured one; without it the public development key
// outside production (SPEC §13's POST /v1/webhooks → {id, secret} works out of the box); none in
// production, where creating a webhook stays refused until METERLINE_WEBHOOK_KEY is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEVELOPMENT_WEBHOOK_KEY, webhookKeyInForce } from '../../webhooks/key-in-force.js';
import { secretBox } from '../../webhooks/secret-box.js';

test('a configured key wins; without one the development key outside production, none in production', () => {
  const mine = randomBytes(32);
  assert.deepEqual(webhookKeyInForce(mine, { NODE_ENV: 'production' }), { key: mine, development: false });
  assert.deepEqual(webhookKeyInForce(mine, {}), { key: mine, development: false });
  assert.equal(webhookKeyInForce(undefined, { NODE_ENV: 'production' }), undefined);
  for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
    const k = webhookKeyInForce(undefined, env);
    assert.equal(k?.development, true);
    assert.equal(k?.key.length, 32, 'an AES-256 key');
  }
});

test('the development key is the same in every process (api seals, rate opens) and seals like any key', () => {
  // Two boxes built apart stand for the api and the rate process: one seals, the other opens.
  const sealed = secretBox(webhookKeyInForce(undefined, {})!.key).seal('whsec_abc');
  assert.equal(secretBox(DEVELOPMENT_WEBHOOK_KEY).open(sealed), 'whsec_abc');
  assert.throws(() => secretBox(randomBytes(32)).open(sealed), /does not decrypt/);
});
