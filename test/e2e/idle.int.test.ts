// Idleness (SPEC §4): a partition that stops receiving records must not hold its windows open.
// Server B (partition 1) stops sending while server A (partition 0) goes on; B's last window,
// which B's own watermark never passes, must be emitted once partition 1 was idle for
// METERLINE_IDLE_TIMEOUT — as an on-time part, not a correction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners, type Message } from 'kafkajs';
import { plainSerde } from '../../avro/serde.js';
import { sampleToRecord } from '../../avro/records.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import { CATALOG_YAML } from './workload.js';
import { e2ePipeline, until } from './harness.js';

const START = Date.parse('2026-10-01T00:00:00Z');
const p = e2ePipeline('idle', CATALOG_YAML, {
  KAFKA_PARTITIONS: '2',
  METERLINE_WINDOW: '1m',
  METERLINE_ALLOWED_LATENESS: '2m',
  METERLINE_IDLE_TIMEOUT: '3s',
});

const sample = (serverId: string, i: number): Sample => ({
  id: `${serverId}-${i}`,
  serverId,
  tsMs: START + i * 10_000,
  metrics: { http_requests: '1' },
  labels: {},
});

async function send(list: { s: Sample; partition: number }[]): Promise<void> {
  const serde = plainSerde();
  const producer = p.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages: Message[] = [];
  for (const { s, partition } of list)
    messages.push({
      key: s.serverId,
      partition,
      value: await serde.encode('sample', p.topics.raw, sampleToRecord(s)),
    });
  await producer.send({ topic: p.topics.raw, acks: -1, messages });
  await producer.disconnect();
}

test(
  'an idle partition does not hold its windows open past the idle timeout',
  { timeout: 120_000 },
  async () => {
    // Both servers: 0..5 min of event time. B's last sample is at 5:00, in window [5:00, 6:00),
    // which B's own watermark (5:00 − 2 min lateness) never closes.
    const both: { s: Sample; partition: number }[] = [];
    for (let i = 0; i <= 30; i++)
      both.push({ s: sample('A', i), partition: 0 }, { s: sample('B', i), partition: 1 });
    await send(both);
    p.start('aggregate', ['--commit-interval', '300ms']);
    p.start('sink');

    const bWindow = async (startMs: number) =>
      (
        await p.db.pool.query<{ correction: boolean; n: string }>(
          `SELECT correction, sample_count::text AS n FROM rollup_parts WHERE server_id = 'B' AND meter = 'requests' AND window_start = $1`,
          [new Date(startMs)],
        )
      ).rows;
    // A keeps sending (its partition stays active, its watermark moves on); B sends nothing more.
    let i = 31;
    const keepA = setInterval(
      () =>
        void send([
          { s: sample('A', i++), partition: 0 },
          { s: sample('A', i++), partition: 0 },
        ]).catch(() => undefined),
      300,
    );
    try {
      await until(
        "B's last window to be emitted",
        async () => (await bWindow(START + 5 * 60_000)).length > 0,
        60_000,
      );
      const rows = await bWindow(START + 5 * 60_000);
      // One sample (5:00) in [5:00, 6:00), emitted on time by idleness, not as a correction.
      assert.deepEqual(rows, [{ correction: false, n: '1' }]);
    } finally {
      clearInterval(keepA);
    }
  },
);
