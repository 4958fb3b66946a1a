// Builds the kafkajs client from Config.kafka: brokers, TLS (CA, mutual-TLS cert/key) and SASL
// (PLAIN, SCRAM-SHA-256/512). Every role gets its Kafka from here, so production security
// settings are honoured everywhere or nowhere. Logs go through one small hook: kafkajs' own
// console logger would print unstructured lines to stdout.
import { Kafka, logLevel, type ISocketFactory, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/env.js';

export type KafkaLog = (level: LevelName, message: string, fields: Record<string, unknown>) => void;

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

type LevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * kafkajs lines that are not an operator's problem, at the level they deserve. kafkajs logs a
 * broker answer it is about to retry at ERROR (every start: the group coordinator "is loading",
 * a fresh topic's leader is still being elected), and two notices at WARN on every producer
 * (the v2 partitioner change — we set the partitioner; "limiting retries … may invalidate EoS" —
 * ours retry without limit, the transactional ones within their transaction). A retry that
 * finally fails still surfaces: as the caller's error, a consumer crash, a not-ready /readyz.
 */
const DEMOTED: readonly [RegExp, LevelName][] = [
  [/coordinator is loading|coordinator is not available|not the correct coordinator|NOT_COORDINATOR|COORDINATOR_LOAD_IN_PROGRESS|COORDINATOR_NOT_AVAILABLE/i, 'debug'],
  [/does not host this topic-partition|not the leader for that topic-partition|no leader for this topic-partition|leadership election|UNKNOWN_TOPIC_OR_PARTITION|LEADER_NOT_AVAILABLE|NOT_LEADER/i, 'debug'],
  [/group is rebalancing|REBALANCE_IN_PROGRESS/i, 'debug'],
  [/switched default partitioner|Limiting retries for the idempotent producer/i, 'debug'],
  [/Restarting the consumer in/i, 'warn'],
  // A broker that is away: the role's own retry line and /readyz say so once, not every 100 ms.
  [/Connection error|Failed to connect to seed broker|ECONNREFUSED|Connection timeout|KafkaJSConnectionClosedError|Closed connection/i, 'warn'],
];

const RANK: Record<LevelName, number> = { error: 3, warn: 2, info: 1, debug: 0 };

/** The level a kafkajs line is logged at: its own, or lower for known noise (never higher). */
export function kafkaLineLevel(level: LevelName, message: string, error?: unknown): LevelName {
  const text = `${message} ${typeof error === 'string' ? error : ''}`;
  // A consumer crash always shows; at WARN when kafkajs restarts it on a passing cause.
  const floor: LevelName = message.startsWith('Crash') ? 'warn' : 'debug';
  for (const [re, to] of DEMOTED) {
    const lowered = RANK[to] < RANK[floor] ? floor : to;
    if (re.test(text) && RANK[lowered] < RANK[level]) return lowered;
  }
  return level;
}

function logCreator(log: KafkaLog) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _ts, ...fields } = entry;
      const own: LevelName = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
      log(kafkaLineLevel(own, String(message), (fields as { error?: unknown }).error), String(message), { namespace, ...fields });
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
