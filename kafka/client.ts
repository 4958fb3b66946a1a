// Builds the kafkajs client from Config.kafka: brokers, TLS (CA, mutual-TLS cert/key) and SASL
// (PLAIN, SCRAM-SHA-256/512). Every role gets its Kafka from here, so production security
// settings are honoured everywhere or nowhere. Logs go through one small hook: kafkajs' own
// console logger would print unstructured lines to stdout.
import { Kafka, logLevel, type ISocketFactory, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/env.js';

export type KafkaLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string, fields: Record<string, unknown>) => void;

export interface KafkaClientOptions {
  /** Appended to KAFKA_CLIENT_ID (`meterline-ingest`): brokers' quotas and logs name the role. */
  role?: string;
  log?: KafkaLog;
  /** kafkajs log level; warnings and errors by default. */
  level?: 'error' | 'warn' | 'info' | 'debug' | 'nothing';
  /** Tests inject faults (a network partition) here; production uses kafkajs' default. */
  socketFactory?: ISocketFactory;
  /** Connection (TCP + TLS + SASL) timeout; kafkajs' 1 s is too short for TLS across regions. */
  connectionTimeoutMs?: number;
}

const LEVELS = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

/** Default log hook: one JSON line per kafkajs warning/error on stderr (stdout is for command output). */
const stderrLog: KafkaLog = (level, message, fields) => {
  process.stderr.write(`${JSON.stringify({ level, msg: `kafka: ${message}`, ...fields })}\n`);
};

function logCreator(log: KafkaLog) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _ts, ...fields } = entry;
      const name = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
      log(name, String(message), { namespace, ...fields });
    };
}

export function saslOptions(cfg: KafkaConfig): SASLOptions | undefined {
  if (!cfg.sasl) return undefined;
  const { mechanism, username, password } = cfg.sasl;
  return { mechanism, username, password } as SASLOptions;
}

export function createKafka(cfg: KafkaConfig, opts: KafkaClientOptions = {}): Kafka {
  const sasl = saslOptions(cfg);
  return new Kafka({
    clientId: opts.role ? `${cfg.clientId}-${opts.role}` : cfg.clientId,
    brokers: cfg.brokers,
    ssl: cfg.ssl === false ? false : { ...cfg.ssl },
    ...(sasl ? { sasl } : {}),
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    // Cluster-level retries (connect, metadata, admin): bounded, so a role with no broker
    // reports it within seconds instead of hanging. Producers set their own (producer.ts).
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
    logLevel: LEVELS[opts.level ?? 'warn'],
    logCreator: logCreator(opts.log ?? stderrLog),
    ...(opts.socketFactory ? { socketFactory: opts.socketFactory } : {}),
  });
}
