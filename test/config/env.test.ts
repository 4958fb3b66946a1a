import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/env.js';

test('defaults point at the local stack and follow METERLINE_PORT_BASE', () => {
  const c = loadConfig({ METERLINE_PORT_BASE: '20000' });
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:20092']);
  assert.equal(c.database.url, 'postgres://postgres@127.0.0.1:20432/meterline');
  assert.equal(c.redisUrl, 'redis://127.0.0.1:20379');
  assert.equal(c.allowedLatenessMs, 10 * 60_000);
  assert.equal(c.dedupHorizonMs, 35 * 86_400_000);
});

test('every bad value is named in one error', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', METERLINE_ALLOWED_LATENESS: '10 minutes', KAFKA_SASL_MECHANISM: 'plain' }),
    (err: Error) =>
      /PORT="eighty"/.test(err.message) &&
      /METERLINE_ALLOWED_LATENESS/.test(err.message) &&
      /KAFKA_SASL_USERNAME: required/.test(err.message),
  );
});

test('TLS settings for production clusters', () => {
  const c = loadConfig({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', DATABASE_SSL_MODE: 'verify-full' });
  assert.deepEqual(c.kafka.ssl, { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true });
  assert.equal(c.kafka.sasl?.mechanism, 'scram-sha-512');
  assert.deepEqual(c.database.ssl, { rejectUnauthorized: true });
  assert.throws(() => loadConfig({ KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }), /KAFKA_SSL_CA_FILE.*cannot read/);
});
