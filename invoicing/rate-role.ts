// The rate role: usage.rollups → drafts in PostgreSQL, effectively once. Consumer group
// `meterline-rate`, read_committed (only parts of committed aggregate transactions), no
// auto-commit. Per fetched batch: decode; store the parts in rating_parts (ON CONFLICT
// DO NOTHING) and commit; find the (customer, period) pairs the batch's parts touch, by the
// subscriptions in the database; recompute each of those drafts from *all* stored parts
// (recompute, never increment) and commit; only then commit the Kafka offsets. A crash anywhere
// replays the batch: storing changes nothing, recomputing gives the same drafts.
import type { Kafka, Consumer, Producer, EachBatchPayload } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AvroSerde } from '../avro/serde.js';
import { decodeRollupBatch } from '../avro/rollup-batch.js';
import type { InvoicingContext } from './context.js';
import { insertParts } from './db/parts.js';
import { withTransaction } from './db/tx.js';
import { PartCache } from './part-cache.js';
import { affectedByParts, recomputeCustomer, syncAll } from './drafts.js';

export const RATE_GROUP = 'meterline-rate';
/** Drafts of periods nothing flowed into (a new month, a subscription starting) are created by
 *  a periodic sync as well as at start. */
export const DEFAULT_SYNC_EVERY_MS = 15 * 60_000;

export interface RateOptions {
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  topics: { rollups: string; dlq: string };
  ctx: InvoicingContext;
  log: Logger;
  metrics?: Metrics;
  groupId?: string;
  syncEveryMs?: number;
  /** A member that died without leaving holds its partitions this long (kafkajs default 30 s). */
  sessionTimeoutMs?: number;
  /** Called after each batch is stored, rated and its offsets committed (tests wait on it). */
  onBatch?: (info: { partition: number; nextOffset: string; parts: number; newParts: number; customers: number }) => void;
}

export interface RateRole {
  stop(): Promise<void>;
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

export async function startRate(opts: RateOptions): Promise<RateRole> {
  const { kafka, pool, serde, topics, log } = opts;
  // The rate role recomputes the same busy drafts batch after batch: merged day states save it
  // reading a month of parts each time (exact either way; see part-cache.ts).
  const ctx: InvoicingContext = { ...opts.ctx, partCache: opts.ctx.partCache ?? new PartCache() };
  const groupId = opts.groupId ?? RATE_GROUP;

  // Drafts for every customer with a subscription in an open period, before consuming.
  const synced = await syncAll(pool, ctx);
  log.info({ drafts: synced }, 'rate: drafts synced');

  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout,
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topics: [topics.rollups], fromBeginning: true });

  async function handle({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const { parts, dead } = await decodeRollupBatch(batch, serde, topics.dlq, 'rate', log);
    const inserted = await withTransaction(pool, (client) => insertParts(client, parts));
    // Every part of the batch, not only the new ones: after a crash between storing and rating,
    // the replay finds nothing new to store but must still rate.
    const affected = await affectedByParts(pool, ctx, parts.map((p) => p.part));
    for (const customer of [...affected.keys()].sort()) {
      const t0 = process.hrtime.bigint();
      await recomputeCustomer(pool, ctx, customer, affected.get(customer) ?? []);
      opts.metrics?.draftRecomputeSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      await heartbeat();
    }
    if (dead.length > 0) {
      await producer.send({ topic: topics.dlq, acks: -1, messages: dead });
      opts.metrics?.dlqRecords.inc({ role: 'rate' }, dead.length);
    }
    const offset = nextOffset(batch.lastOffset());
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    log.debug({ partition: batch.partition, offset, parts: parts.length, newParts: inserted.size, customers: affected.size }, 'rate batch done');
    opts.onBatch?.({ partition: batch.partition, nextOffset: offset, parts: parts.length, newParts: inserted.size, customers: affected.size });
    await heartbeat();
  }

  await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 2, eachBatch: handle });
  log.info({ groupId, topic: topics.rollups }, 'rate started');

  let syncing = false;
  const timer = setInterval(() => {
    if (syncing) return;
    syncing = true;
    syncAll(pool, ctx)
      .catch((err: unknown) => log.error({ err }, 'rate: periodic draft sync failed'))
      .finally(() => {
        syncing = false;
      });
  }, opts.syncEveryMs ?? DEFAULT_SYNC_EVERY_MS);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
