// METERLINE_WEBHOOK_KEY and METERLINE_WEBHOOKS_ALLOW_PRIVATE: parsed once, a bad value named in
// the config error (the CLI exits 78 on a config error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/env.js';

test('the webhook key is 32 bytes in hex or base64; anything else is a config error naming it', () => {
  const hex = 'ab'.repeat(32);
  assert.deepEqual(loadConfig({ METERLINE_WEBHOOK_KEY: hex }).webhookKey, Buffer.from(hex, 'hex'));
  assert.equal(loadConfig({}).webhookKey, undefined);
  assert.equal(loadConfig({}).webhooksAllowPrivate, false);
  assert.equal(loadConfig({ METERLINE_WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooksAllowPrivate, true);
  assert.throws(() => loadConfig({ METERLINE_WEBHOOK_KEY: 'secret' }), (err: Error & { kind?: string }) => err.kind === 'config' && /METERLINE_WEBHOOK_KEY: must be 32 bytes/.test(err.message));
  assert.throws(() => loadConfig({ METERLINE_WEBHOOKS_ALLOW_PRIVATE: 'maybe' }), /METERLINE_WEBHOOKS_ALLOW_PRIVATE="maybe": must be true or false/);
});
