// The sink role: usage.rollups → TimescaleDB, exactly once. Consumer group `meterline-sink`,
// read_committed (only parts of committed aggregate transactions), no auto-commit. Per fetched
// batch, one database transaction (sinks/store.ts) COPYs the parts into rollup_parts and
// advances the partition's offset in sink_offsets; the DLQ records of the batch (undecodable
// records, rows PostgreSQL refuses for good) are produced before that COMMIT. Kafka's offsets
// are committed afterwards, as a hint only: a replay of a stored batch is skipped by the
// offsets in the database. A database that is away is waited for inside the batch (heartbeats
// keep the partitions); /readyz says so meanwhile.
import { Partitioners, type Kafka, type Consumer, type Producer, type EachBatchPayload, type ConsumerRunConfig } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AvroSerde } from '../avro/serde.js';
import { decodeRollupBatch, rollupDeadLetter } from '../avro/rollup-batch.js';
import { storeParts, type StoreResult } from './store.js';
import type { StoredPart } from './copy-rows.js';
import { roleHealth, type RoleHealth } from '../roles/health.js';
import { waitOut } from '../roles/retry.js';
import { consumeSupervised } from '../roles/supervise-consumer.js';

export const SINK_GROUP = 'meterline-sink';

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

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

export async function startSink(opts: SinkOptions): Promise<SinkRole> {
  const { kafka, pool, serde, topics, log } = opts;
  const groupId = opts.groupId ?? SINK_GROUP;
  const health = opts.health ?? roleHealth('sink');
  const stopping = new AbortController();
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
    // Unbounded, as an idempotent producer's must be (kafkajs warns otherwise).
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });

  async function handle({ batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning()) return;
    const t0 = process.hrtime.bigint();
    const wait = { log, signal: stopping.signal, health, heartbeat };
    // A Schema Registry or database that is away is waited for inside the batch (not ready meanwhile).
    const decoded = await waitOut('sink: decoding a batch', () => decodeRollupBatch(batch, serde, topics.dlq, 'sink', log), { ...wait, condition: 'decode' });
    const parts: StoredPart[] = decoded.parts.map(({ part, at }) => ({ part, origin: at }));
    const values = new Map(batch.messages.map((m) => [m.offset, m.value]));
    const offset = nextOffset(batch.lastOffset());
    const position = { group: groupId, topic: batch.topic, partition: batch.partition, nextOffset: offset };
    // The DLQ records go out before the database commits the offsets past them: a crash in
    // between sends them again (at least once), never loses them.
    const deadLetter = async (r: StoreResult): Promise<void> => {
      const dead = [...decoded.dead];
      for (const p of r.poison) {
        const at = p.stored.origin ?? { topic: batch.topic, partition: batch.partition, offset: '-1' };
        log.error({ partition: batch.partition, offset: at.offset, reason: p.reason }, 'rollup part refused by the database sent to the DLQ');
        dead.push(await rollupDeadLetter(serde, topics.dlq, values.get(at.offset) ?? null, at, `sink: ${p.reason}`));
      }
      if (dead.length > 0) await producer.send({ topic: topics.dlq, acks: -1, messages: dead });
    };
    const result = await waitOut(
      'sink: storing a batch',
      async () => {
        const client = await pool.connect();
        try {
          return await storeParts(client, parts, position, deadLetter);
        } finally {
          client.release();
        }
      },
      { ...wait, condition: 'store' },
    );
    if (decoded.dead.length + result.poison.length > 0) {
      opts.metrics?.dlqRecords.inc({ role: 'sink' }, decoded.dead.length + result.poison.length);
      if (decoded.dead.length > 0) opts.metrics?.poisonRecords.inc({ role: 'sink', reason: 'undecodable' }, decoded.dead.length);
      if (result.poison.length > 0) opts.metrics?.poisonRecords.inc({ role: 'sink', reason: 'refused by database' }, result.poison.length);
    }
    // A hint for where to resume reading; the offsets in the database are what count.
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    opts.metrics?.sinkRows.inc(result.inserted);
    const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
    opts.metrics?.sinkBatchSeconds.observe(durationMs / 1000);
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
    await heartbeat();
  }

  // A fetch of only transaction markers never reaches eachBatch (usage.rollups is written in
  // transactions, so every partition ends with one): commit past it, or the group would show
  // a lag of one record forever. Nothing to store, so no ordering to keep.
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    if (e.payload.batchSize !== 0) return;
    const offset = nextOffset(e.payload.lastOffset);
    consumer.commitOffsets([{ topic: e.payload.topic, partition: e.payload.partition, offset }]).catch(() => undefined);
  });
  const run: ConsumerRunConfig = { autoCommit: false, partitionsConsumedConcurrently: 2, eachBatch: handle };
  const supervised = await consumeSupervised(consumer, producer, topics.rollups, run, { role: 'sink', log, health });
  log.info({ groupId, topic: topics.rollups }, 'sink started');

  return {
    async stop() {
      stopping.abort(new Error('sink stopping'));
      supervised.stop();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
