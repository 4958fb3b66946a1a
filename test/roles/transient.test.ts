// Which failures a role waits out (a dependency away) and which it must not retry forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTransient } from '../../roles/transient.js';
import { MeterlineError } from '../../lib/errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('PostgreSQL going away is transient; a row it refuses is not', () => {
  assert.equal(isTransient(pgError('57P03', 'the database system is not yet accepting connections')), true);
  assert.equal(isTransient(pgError('57P01', 'terminating connection due to administrator command')), true);
  assert.equal(isTransient(pgError('08006')), true);
  assert.equal(isTransient(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })), true);
  // A CHECK constraint, a numeric out of range, a duplicate key: the data, not the server.
  assert.equal(isTransient(pgError('23514', 'violates check constraint')), false);
  assert.equal(isTransient(pgError('22003', 'numeric field overflow')), false);
  assert.equal(isTransient(pgError('23505', 'duplicate key')), false);
});

test('kafkajs says what a retry can fix; our own errors by kind; causes are followed', () => {
  const kafka = (name: string, retriable: boolean) => Object.assign(new Error('k'), { name, retriable });
  assert.equal(isTransient(kafka('KafkaJSProtocolError', true)), true); // UNKNOWN_TOPIC_OR_PARTITION is retriable
  assert.equal(isTransient(kafka('KafkaJSProtocolError', false)), false); // e.g. TOPIC_AUTHORIZATION_FAILED
  assert.equal(isTransient(kafka('KafkaJSConnectionError', false)), true);
  assert.equal(isTransient(new MeterlineError('unavailable', 'Kafka: no acknowledgement')), true);
  assert.equal(isTransient(new MeterlineError('config', 'plan "gone" is not in the catalogue')), false);
  assert.equal(isTransient(new TypeError('x is undefined')), false);
  assert.equal(isTransient(new Error('wrapped', { cause: pgError('57P01') })), true);
  assert.equal(isTransient(new AggregateError([new Error('a'), pgError('08001')])), true);
  assert.equal(isTransient(undefined), false);
  assert.equal(isTransient('ECONNREFUSED'), false);
});
