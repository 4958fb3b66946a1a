// kafkajs log lines at the level an operator needs: retried broker answers and per-producer
// notices are not errors; a consumer crash and anything unknown keep kafkajs' own level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaLineLevel } from '../../kafka/client.js';

test('start-up noise is demoted', () => {
  assert.equal(kafkaLineLevel('error', 'Response GroupCoordinator(key: 10, version: 2)', "The coordinator is loading and hence can't process requests"), 'debug');
  assert.equal(kafkaLineLevel('error', 'Response Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'), 'debug');
  assert.equal(kafkaLineLevel('warn', 'Limiting retries for the idempotent producer may invalidate EoS guarantees'), 'debug');
  assert.equal(kafkaLineLevel('warn', 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior …'), 'debug');
  assert.equal(kafkaLineLevel('error', 'Restarting the consumer in 300ms'), 'warn');
});

test('a broker that is away is a warning (the role says so on /readyz and in its own retry line)', () => {
  assert.equal(kafkaLineLevel('error', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'warn');
  assert.equal(kafkaLineLevel('error', 'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'warn');
});

test('a crash always shows: at warn on a passing cause, at error otherwise; unknown errors keep their level', () => {
  assert.equal(kafkaLineLevel('error', "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group"), 'warn');
  assert.equal(kafkaLineLevel('error', 'Crash: KafkaJSNumberOfRetriesExceeded: This server does not host this topic-partition'), 'warn');
  assert.equal(kafkaLineLevel('error', 'Crash: KafkaJSNonRetriableError: Not authorized to access group'), 'error');
  assert.equal(kafkaLineLevel('error', 'Response SaslAuthenticate', 'Authentication failed'), 'error');
  assert.equal(kafkaLineLevel('debug', 'Restarting the consumer in 300ms'), 'debug');
});
