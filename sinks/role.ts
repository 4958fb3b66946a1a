// The sink role: usage.rollups → TimescaleDB, effectively once. Consumer group
// `meterline-sink`, read_committed (only parts of committed aggregate transactions), no
// auto-commit. Per fetched batch: decode, store every part in one database transaction
// (sinks/store.ts: COPY + INSERT … ON CONFLICT DO NOTHING), commit it, and only then commit
// the Kafka offsets. A crash between the two replays the batch, which changes nothing.
import { Partitioners, type Kafka, type Consumer, type Producer, type EachBatchPayload } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AvroSerde } from '../avro/serde.js';
import { decodeRollupBatch } from '../avro/rollup-batch.js';
import { storeParts } from './store.js';
import type { StoredPart } from './copy-rows.js';

export const SINK_GROUP = 'meterline-sink';

export interface SinkOptions {
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  topics: { rollups: string; dlq: string };
  log: Logger;
  metrics?: Metrics;
  groupId?: string;
  sessionTimeoutMs?: number;
  /** Called after each stored batch (tests and the bench wait on it). */
  onBatch?: (info: {
    partition: number;
    nextOffset: string;
    offered: number;
    inserted: number;
    durationMs: number;
  }) => void;
}

export interface SinkRole {
  /** Stop consuming, finish the batch in hand, close clients. */
  stop(): Promise<void>;
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

export async function startSink(opts: SinkOptions): Promise<SinkRole> {
  const { kafka, pool, serde, topics, log } = opts;
  const groupId = opts.groupId ?? SINK_GROUP;
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 3)),
  });
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topics: [topics.rollups], fromBeginning: true });

  async function handle({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const t0 = process.hrtime.bigint();
    const decoded = await decodeRollupBatch(batch, serde, topics.dlq, 'sink', log);
    const parts: StoredPart[] = decoded.parts.map(({ part, at }) => ({ part, origin: at }));
    const dead = decoded.dead;
    const client = await pool.connect();
    let result;
    try {
      result = await storeParts(client, parts);
    } finally {
      client.release();
    }
    if (dead.length > 0) {
      await producer.send({ topic: topics.dlq, acks: -1, messages: dead });
      opts.metrics?.dlqRecords.inc({ role: 'sink' }, dead.length);
    }
    const offset = nextOffset(batch.lastOffset());
    // Offsets only after the database committed: the order that makes a crash harmless.
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    opts.metrics?.sinkRows.inc(result.inserted);
    const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
    opts.metrics?.sinkBatchSeconds.observe(durationMs / 1000);
    log.debug(
      { partition: batch.partition, offset, offered: result.offered, inserted: result.inserted },
      'sink batch stored',
    );
    opts.onBatch?.({
      partition: batch.partition,
      nextOffset: offset,
      offered: result.offered,
      inserted: result.inserted,
      durationMs,
    });
    await heartbeat();
  }

  // A fetch of only transaction markers never reaches eachBatch (usage.rollups is written in
  // transactions, so every partition ends with one): commit past it, or the group would show
  // a lag of one record forever. Nothing to store, so no ordering to keep.
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    if (e.payload.batchSize !== 0) return;
    const offset = nextOffset(e.payload.lastOffset);
    consumer
      .commitOffsets([{ topic: e.payload.topic, partition: e.payload.partition, offset }])
      .catch(() => undefined);
  });
  await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 2, eachBatch: handle });
  log.info({ groupId, topic: topics.rollups }, 'sink started');

  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
