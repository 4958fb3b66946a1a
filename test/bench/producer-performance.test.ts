// Reading Kafka's ProducerPerformance summary (the last line it prints), as `bench ingest` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSummary } from '../../bench/producer-performance.js';

test('the summary line gives records, records/s, average and p99 latency', () => {
  const out = [
    '150001 records sent, 29998.2 records/sec (6.29 MB/sec), 655.1 ms avg latency, 1312.0 ms max latency.',
    '200000 records sent, 31710.8 records/sec (6.65 MB/sec), 677.28 ms avg latency, 1565.00 ms max latency, 612 ms 50th, 1306 ms 95th, 1482 ms 99th, 1550 ms 99.9th.',
    '',
  ].join('\n');
  assert.deepEqual(parseSummary(out), { records: 200000, recordsPerSecond: 31710.8, avgLatencyMs: 677.28, p99LatencyMs: 1482 });
});

test('no summary line: an error quoting the end of the output', () => {
  assert.throws(() => parseSummary('Exception in thread "main" org.apache.kafka.common.KafkaException: …'), /no summary line.*KafkaException/s);
});
