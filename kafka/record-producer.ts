// The one place a role gets its acknowledged producer: node-rdkafka or kafkajs, chosen by
// METERLINE_KAFKA_CLIENT (Config.kafka.client). Both keep kafka/producer.ts' RecordProducer
// contract (acks=all, idempotent, Java's murmur2 placement of keys, `unavailable` after the ack
// timeout), so callers never know which one they have.
import type { Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/env.js';
import type { KafkaLog } from './client.js';
import { createAckedProducer, type RecordProducer } from './producer.js';
import { createRdkafkaAckedProducer } from './rdkafka/acked-client.js';

export interface RecordProducerOptions {
  /** The role's kafkajs client: used when the client is kafkajs. */
  kafka: Pick<Kafka, 'producer'>;
  /** Overrides Config.kafka.client (tests that inject kafkajs network faults). */
  client?: KafkaConfig['client'];
  /** Appended to KAFKA_CLIENT_ID (librdkafka; the kafkajs client has its own). */
  role?: string;
  /** librdkafka's logs and errors (the kafkajs client has its own hook). */
  log?: KafkaLog;
  ackTimeoutMs?: number;
  /** A topic the producer writes to, which exists (librdkafka then asks for its metadata alone at connect). */
  metadataTopic?: string;
}

export function createRecordProducer(cfg: KafkaConfig, opts: RecordProducerOptions): RecordProducer {
  const ack = opts.ackTimeoutMs !== undefined ? { ackTimeoutMs: opts.ackTimeoutMs } : {};
  if ((opts.client ?? cfg.client) === 'kafkajs') return createAckedProducer(opts.kafka, ack);
  return createRdkafkaAckedProducer(cfg, {
    ...ack,
    ...(opts.role ? { role: opts.role } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.metadataTopic !== undefined ? { metadataTopic: opts.metadataTopic } : {}),
  });
}
