// The transactional producer behind one owned partition (owner.ts), as the two Kafka clients
// do it: `transact` is one whole Kafka transaction — records, the consumed offset for the
// consumer group, commit — or, on any failure, an abort and a rejection. `init` initialises
// the transactional.id, which aborts and fences a previous holder of the same id.
//
// kafkajs (here) or node-rdkafka (../../kafka/rdkafka/transactions.ts), chosen by
// METERLINE_KAFKA_CLIENT; the owner does not know which.
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type { KafkaConfig } from '../../config/env.js';
import type { KafkaLog } from '../../kafka/client.js';
import { rdkafkaTransactions } from '../../kafka/rdkafka/transactions.js';

export interface TxnRecord {
  topic: string;
  key: string | Buffer | null;
  /**
   * null: a tombstone (compacted topics). May be a view that the next record taken from the
   * iterable overwrites (avro/rollup-writer.ts): a producer that keeps values copies them.
   * The record object itself may be the previous one refilled (commit-records.ts): take what
   * is needed from it before taking the next.
   */
  value: Buffer | null;
  /** Explicit partition; absent: murmur2 of the key, as Java's (and ingest's) partitioner. */
  partition?: number;
}

/** The consumed offset a transaction commits for the consumer group (next offset to read). */
export interface TxnOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
}

export interface TransactionalProducer {
  init(): Promise<void>;
  /**
   * Records in order, then the offset, then commit; aborts and rejects on any failure (a throw
   * from the iterable too: records are taken one at a time, inside the transaction).
   */
  transact(records: Iterable<TxnRecord>, offset: TxnOffset): Promise<void>;
  close(): Promise<void>;
}

/** Opens one transactional producer per transactional.id; `close` releases what they share. */
export interface Transactions {
  readonly client: 'kafkajs' | 'rdkafka';
  open(transactionalId: string): TransactionalProducer;
  close(): Promise<void>;
}

/**
 * Bytes of records per kafkajs send call. usage.rollups is keyed like metrics.raw, so one input
 * partition's parts all land in one output partition: one record batch, which the broker caps
 * at the topic's max.message.bytes (1 MiB by default).
 */
const SEND_CHUNK_BYTES = 700_000;
/**
 * And at most this many records: kafkajs groups a send's records by partition with an
 * array copy per record (quadratic in the records of one call: 2 000 records ≈ 2 M element
 * copies, a few ms), so calls stay bounded — but not small, each call is a round trip.
 */
const SEND_CHUNK_RECORDS = 2000;

/**
 * Runs of one topic, split into send calls of at most SEND_CHUNK_BYTES / SEND_CHUNK_RECORDS.
 * Values are copied: a record's value may be a view the next record overwrites.
 */
export function* sendChunks(records: Iterable<TxnRecord>): Generator<{ topic: string; messages: Message[] }> {
  let topic = '';
  let chunk: Message[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = (r.value?.length ?? 0) + 64 + (r.key?.length ?? 0);
    if (chunk.length > 0 && (r.topic !== topic || bytes + size > SEND_CHUNK_BYTES || chunk.length >= SEND_CHUNK_RECORDS)) {
      yield { topic, messages: chunk };
      chunk = [];
      bytes = 0;
    }
    topic = r.topic;
    const value = r.value === null ? null : Buffer.from(r.value);
    chunk.push(r.partition === undefined ? { key: r.key, value } : { key: r.key, value, partition: r.partition });
    bytes += size;
  }
  if (chunk.length > 0) yield { topic, messages: chunk };
}

/** kafkajs: one producer per transactional.id; records go in sequential send calls. */
export function kafkajsTransactions(kafka: Kafka): Transactions {
  return {
    client: 'kafkajs',
    open(transactionalId) {
      const producer = kafka.producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        // Retriable errors (a broker restarting) are retried without a cap, as an idempotent
        // producer must be to keep its sequence numbers; fencing and other fatal errors still
        // fail at once, and a broker gone for longer than transactionTimeout aborts the
        // transaction, whose commit then fails and restores the partition.
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
        allowAutoTopicCreation: false,
        // murmur2 on server_id, like ingest: usage.rollups is keyed and partitioned as metrics.raw.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      return {
        init: () => producer.connect(),
        async transact(records, offset) {
          const txn = await producer.transaction();
          try {
            for (const { topic, messages } of sendChunks(records)) await txn.send({ topic, messages });
            await txn.sendOffsets({
              consumerGroupId: offset.groupId,
              topics: [{ topic: offset.topic, partitions: [{ partition: offset.partition, offset: offset.offset }] }],
            });
            await txn.commit();
          } catch (err) {
            await txn.abort().catch(() => undefined);
            throw err;
          }
        },
        close: () => producer.disconnect().catch(() => undefined),
      };
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The client Config names (METERLINE_KAFKA_CLIENT): node-rdkafka, or kafkajs on `kafka`.
 * `metadataTopic`: a topic the transactions write to (node-rdkafka's clients then ask for its
 * metadata alone at connect, not every topic's).
 */
export function transactionsFor(
  cfg: KafkaConfig,
  kafka: Kafka,
  log: KafkaLog,
  { role = 'aggregate', metadataTopic }: { role?: string; metadataTopic?: string } = {},
): Transactions {
  return cfg.client === 'rdkafka'
    ? rdkafkaTransactions(cfg, { role, log, ...(metadataTopic !== undefined ? { metadataTopic } : {}) })
    : kafkajsTransactions(kafka);
}
