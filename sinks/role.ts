// The sink role: usage.rollups → TimescaleDB, exactly once. Consumer group `meterline-sink`,
// read_committed (only parts of committed aggregate transactions), no auto-commit. Per fetched
// batch, one database transaction (sinks/store.ts) COPYs the parts into rollup_parts — as
// COPY text written straight from the records' Avro bytes while the COPY streams
// (sinks/rollup-rows.ts) — and advances the partition's offset in sink_offsets; the DLQ
// records of the batch (undecodable records, rows PostgreSQL refuses for good) are produced
// before that COMMIT. Kafka's offsets are committed afterwards, as a hint only: a replay of a
// stored batch is skipped by the offsets in the database. A database that is away is waited for inside the batch (heartbeats
// keep the partitions); /readyz says so meanwhile. The consumer, its loop and the Kafka commit
// are the shared runner's (kafka/consumer/runner.ts); this file is the batch's data flow.
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AvroSerde } from '../avro/serde.js';
import { rollupDeadLetter } from '../avro/rollup-batch.js';
import { storeRows, type StoreResult } from './store.js';
import { rollupRows } from './rollup-rows.js';
import { roleHealth, type RoleHealth } from '../roles/health.js';
import { runConsumer, type BatchHandler } from '../kafka/consumer/runner.js';
import { nextOffset } from '../kafka/consumer/offsets.js';

import { SINK_GROUP } from '../kafka/groups.js';
export { SINK_GROUP };

export interface SinkOptions {
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  topics: { rollups: string; dlq: string };
  log: Logger;
  metrics?: Metrics;
  /** The role's readiness conditions (default: a private one, tests). */
  health?: RoleHealth;
  groupId?: string;
  sessionTimeoutMs?: number;
  /** Called after each stored batch (tests and the bench wait on it). */
  onBatch?: (info: {
    partition: number;
    nextOffset: string;
    offered: number;
    inserted: number;
    skipped: number;
    poison: number;
    durationMs: number;
  }) => void;
}

export interface SinkRole {
  /** Stop consuming, finish the batch in hand, close clients. */
  stop(): Promise<void>;
}

export async function startSink(opts: SinkOptions): Promise<SinkRole> {
  const { topics, log } = opts;
  const groupId = opts.groupId ?? SINK_GROUP;
  const running = await runConsumer({
    role: 'sink',
    kafka: opts.kafka,
    groupId,
    topic: topics.rollups,
    log,
    health: opts.health ?? roleHealth('sink'),
    handler: sinkHandler(opts, groupId),
    ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
  });
  log.info({ groupId, topic: topics.rollups }, 'sink started');
  return running;
}

/** One batch: decode, then store the parts and the next offset in one database transaction. */
function sinkHandler(opts: SinkOptions, groupId: string): BatchHandler<{ result: StoreResult; t0: bigint }> {
  const { pool, serde, topics, log, metrics } = opts;
  return {
    async handleBatch(batch, tools) {
      const t0 = process.hrtime.bigint();
      // A Schema Registry or database that is away is waited for inside the batch (not ready meanwhile).
      const rows = await tools.waitOut('sink: decoding a batch', 'decode', () => rollupRows(batch, serde, 'sink'));
      const position = { group: groupId, topic: batch.topic, partition: batch.partition, nextOffset: nextOffset(batch.lastOffset) };
      // The DLQ records go out before the database commits the offsets past them: a crash in
      // between sends them again (at least once), never loses them.
      const deadLetter = async (r: StoreResult): Promise<void> => {
        const dead = [];
        for (const u of rows.undecodable.values()) {
          log.error({ partition: batch.partition, offset: u.at.offset, reason: u.reason }, 'undecodable rollup record sent to the DLQ');
          dead.push(await rollupDeadLetter(serde, topics.dlq, u.value, u.at, u.reason));
        }
        for (const p of r.poison) {
          const at = p.stored.origin ?? { topic: batch.topic, partition: batch.partition, offset: '-1' };
          log.error({ partition: batch.partition, offset: at.offset, reason: p.reason }, 'rollup part refused by the database sent to the DLQ');
          // Poison is rare: its original bytes are looked up then, not indexed for every batch.
          const original = batch.messages.find((m) => m.offset === at.offset)?.value ?? null;
          dead.push(await rollupDeadLetter(serde, topics.dlq, original, at, `sink: ${p.reason}`));
        }
        if (dead.length > 0) await tools.produce(topics.dlq, dead);
      };
      const result = await tools.waitOut('sink: storing a batch', 'store', async () => {
        const client = await pool.connect();
        try {
          return await storeRows(client, rows, position, deadLetter);
        } finally {
          client.release();
        }
      });
      const undecodable = rows.undecodable.size;
      if (undecodable + result.poison.length > 0) {
        metrics?.dlqRecords.inc({ role: 'sink' }, undecodable + result.poison.length);
        if (undecodable > 0) metrics?.poisonRecords.inc({ role: 'sink', reason: 'undecodable' }, undecodable);
        if (result.poison.length > 0) metrics?.poisonRecords.inc({ role: 'sink', reason: 'refused by database' }, result.poison.length);
      }
      // The runner then commits Kafka's offsets: a hint for where to resume reading; the offsets
      // in the database are what count.
      return { result, t0 };
    },
    committed(batch, offset, { result, t0 }) {
      metrics?.sinkRows.inc(result.inserted);
      const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
      metrics?.sinkBatchSeconds.observe(durationMs / 1000);
      log.debug({ partition: batch.partition, offset, ...result, poison: result.poison.length }, 'sink batch stored');
      opts.onBatch?.({
        partition: batch.partition,
        nextOffset: offset,
        offered: result.offered,
        inserted: result.inserted,
        skipped: result.skipped,
        poison: result.poison.length,
        durationMs,
      });
    },
  };
}
