// The node-rdkafka side of the acknowledged producer (./acked-producer.ts): the librdkafka
// settings, connecting, delivery reports, and librdkafka's logs and errors into the role's log.
// A broker that is away is librdkafka's business (it reconnects by itself, backing off up to
// 2 s like the kafkajs producer); only a fatal error makes us drop the client for a new one.
import rdkafka from 'node-rdkafka';
import type { LibrdKafkaError, MessageHeader, Producer } from 'node-rdkafka';
import type { KafkaConfig } from '../../config/env.js';
import type { KafkaLog } from '../client.js';
import { MAX_REQUEST_BYTES, type OutRecord, type RecordProducer } from '../producer.js';
import { rdkafkaBase, type RdkafkaGlobalConfig } from './config.js';
import { call, connect, disconnect, routeLogs } from './connect.js';
import { ackedProducerOver, QueueFullError, type RdAckedOptions, type RdCallbacks, type RdConnector, type RdHandle } from './acked-producer.js';

const ERR_QUEUE_FULL = -184;

/**
 * Topic-level settings. node-rdkafka's topic config replaces the topic-level properties of the
 * global one, so the partitioner must be here (set globally it is silently dropped and keys land
 * by CRC32). murmur2_random is Java's (and kafkajs' DefaultPartitioner's) placement of a key: a
 * server lands on the same partition whichever client or agent produced it.
 */
export const ACKED_TOPIC_CONFIG = { 'request.required.acks': -1, partitioner: 'murmur2_random' } as const;

export interface RdkafkaProducerOptions extends RdAckedOptions {
  /** Appended to KAFKA_CLIENT_ID, as for the kafkajs client. */
  role?: string;
  log?: KafkaLog;
  /** How long librdkafka gathers records into a batch (ms). */
  lingerMs?: number;
  /** Extra librdkafka properties (tests). */
  extra?: RdkafkaGlobalConfig;
  /** A topic the producer writes to, which exists: connect asks for its metadata alone (./connect.ts). */
  metadataTopic?: string;
}

export function ackedProducerConfig(cfg: KafkaConfig, opts: RdkafkaProducerOptions): RdkafkaGlobalConfig {
  return {
    ...rdkafkaBase(cfg, opts.role),
    'enable.idempotence': true,
    // Topics are created (with their partitions and replication) by prepareTopics, never by a produce.
    'allow.auto.create.topics': false,
    'linger.ms': opts.lingerMs ?? 5,
    // A batch stays under the broker's max.message.bytes (1 MiB by default), which refuses it for good.
    'batch.size': MAX_REQUEST_BYTES,
    'batch.num.messages': 100_000,
    // Back-pressure: when this much waits locally, produce() refuses and send waits for room.
    'queue.buffering.max.messages': 100_000,
    'queue.buffering.max.kbytes': 64 * 1024,
    // Callers stop waiting after their ack timeout; librdkafka gives a record up after this.
    'message.timeout.ms': 60_000,
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 2000,
    'enable.metrics.push': false,
    'dr_cb': true,
    'event_cb': true,
    ...opts.extra,
  };
}

const headersOf = (h: Record<string, string> | undefined): MessageHeader[] | undefined =>
  h ? Object.entries(h).map(([k, v]) => ({ [k]: v })) : undefined;

function handleOf(p: Producer): RdHandle {
  return {
    produce(r: OutRecord, opaque: object) {
      try {
        p.produce(r.topic, null, r.value, r.key ?? undefined, r.timestampMs ?? null, opaque, headersOf(r.headers));
      } catch (err) {
        if ((err as LibrdKafkaError).code === ERR_QUEUE_FULL) throw new QueueFullError('local queue full');
        throw err;
      }
    },
    async close(timeoutMs) {
      p.setPollInterval(0);
      // Bounded: a flush that cannot finish (broker away) gives up after timeoutMs, and the
      // disconnect is not waited for beyond a second more.
      await call((cb) => p.flush(timeoutMs, cb)).catch(() => undefined);
      await disconnect(p, 1000);
    },
  };
}

export function rdkafkaConnector(cfg: KafkaConfig, opts: RdkafkaProducerOptions = {}): RdConnector {
  const log: KafkaLog = opts.log ?? (() => undefined);
  return async (cb: RdCallbacks) => {
    const p = new rdkafka.Producer(ackedProducerConfig(cfg, opts), ACKED_TOPIC_CONFIG);
    p.on('delivery-report', (err, report) => cb.delivered(report.opaque, err ? new Error(err.message, { cause: err }) : undefined));
    // Broker down / all brokers down / transport errors are warnings: librdkafka reconnects by
    // itself; sends meanwhile answer `unavailable`, the process stays up.
    routeLogs(p, log, 'acked-producer');
    p.on('event.error', (err: LibrdKafkaError) => {
      if (err.isFatal) cb.fatal(new Error(err.message, { cause: err }));
    });
    try {
      await connect(p, { topic: opts.metadataTopic, timeoutMs: 10_000 });
    } catch (err) {
      throw new Error(`connect to ${cfg.brokers.join(',')}: ${(err as Error).message}`, { cause: err });
    }
    // Delivery reports and events are served by poll(); a few ms keeps the acknowledgement prompt.
    p.setPollInterval(5);
    return handleOf(p);
  };
}

/** The acknowledged producer on node-rdkafka (METERLINE_KAFKA_CLIENT=rdkafka). */
export function createRdkafkaAckedProducer(cfg: KafkaConfig, opts: RdkafkaProducerOptions = {}): RecordProducer {
  return ackedProducerOver(rdkafkaConnector(cfg, opts), opts);
}
