// Reads the environment once, validates every value, and reports *all* bad values by name
// before any work starts (12-factor). Roles receive the typed Config, never process.env.
import { readFileSync } from 'node:fs';
import { MeterlineError } from '../lib/errors.js';
import { parseDuration } from '../lib/duration.js';
import { VARIABLES, STACK_PORT_BASE_DEFAULT, stackDefaults } from './variables.js';
import { parseWebhookKey } from '../webhooks/secret-box.js';

export type Env = Record<string, string | undefined>;

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** Client library of the roles' producers (METERLINE_KAFKA_CLIENT). */
  client: 'rdkafka' | 'kafkajs';
  topicPrefix: string;
  ssl: false | { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  replicationFactor: number;
  minInsyncReplicas: number;
  partitions: number;
}

export interface DatabaseConfig {
  url: string;
  ssl: false | { rejectUnauthorized: boolean; ca?: string };
  poolSize: number;
}

export interface Config {
  port: number;
  catalogPath?: string;
  kafka: KafkaConfig;
  database: DatabaseConfig;
  redisUrl: string;
  schemaRegistry?: { url: string; username?: string; password?: string };
  windowMs: number;
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  dedupHorizonMs: number;
  maxSampleAgeMs: number;
  maxClockSkewMs: number;
  maxBodyBytes: number;
  maxBatchSamples: number;
  /** Requests per second per API key per process (0: no limit), and the burst allowed. */
  keyRateLimit: number;
  keyRateBurst: number;
  logLevel: string;
  /** METERLINE_WEBHOOK_KEY, 32 bytes; absent = webhooks off. */
  webhookKey?: Buffer;
  webhooksAllowPrivate: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Collects problems instead of throwing at the first, so one start-up names them all. */
class Reader {
  readonly problems: string[] = [];
  private readonly derived: Record<string, string>;
  constructor(private readonly env: Env) {
    let base = STACK_PORT_BASE_DEFAULT;
    try {
      base = portBase(env);
    } catch (err) {
      this.problems.push((err as Error).message.replace(/^bad configuration: /, ''));
    }
    this.derived = stackDefaults(base);
  }

  raw(name: string): string | undefined {
    const v = this.env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
    return this.derived[name] ?? VARIABLES.find((x) => x.name === name)?.default;
  }
  str(name: string): string {
    return this.raw(name) ?? '';
  }
  opt(name: string): string | undefined {
    return this.raw(name);
  }
  int(name: string, min: number, max: number): number {
    const v = this.str(name);
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      this.problems.push(`${name}=${JSON.stringify(v)}: must be a whole number from ${min} to ${max}`);
      return min;
    }
    return n;
  }
  bool(name: string): boolean {
    const v = this.str(name).toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no', ''].includes(v)) return false;
    this.problems.push(`${name}=${JSON.stringify(v)}: must be true or false`);
    return false;
  }
  duration(name: string): number {
    const v = this.str(name);
    try {
      const ms = parseDuration(v);
      if (ms <= 0) throw new RangeError('must be positive');
      return ms;
    } catch (err) {
      this.problems.push(`${name}=${JSON.stringify(v)}: ${(err as Error).message}`);
      return 1;
    }
  }
  url(name: string, protocols: string[]): string {
    const v = this.str(name);
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error(`protocol must be one of ${protocols.join(', ')}`);
    } catch (err) {
      this.problems.push(`${name}=${JSON.stringify(v)}: not a valid URL (${(err as Error).message})`);
    }
    return v;
  }
  file(name: string): string | undefined {
    const path = this.opt(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      this.problems.push(`${name}=${JSON.stringify(path)}: cannot read file (${(err as NodeJS.ErrnoException).code})`);
      return undefined;
    }
  }
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.opt(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v.toLowerCase())) {
      this.problems.push(`${name}=${JSON.stringify(v)}: must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return v.toLowerCase() as T;
  }
}

function readKafka(r: Reader): KafkaConfig {
  const brokers = r.str('KAFKA_BROKERS').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) r.problems.push(`KAFKA_BROKERS: ${JSON.stringify(b)} is not host:port`);
  }
  if (brokers.length === 0) r.problems.push('KAFKA_BROKERS: no broker given');
  const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512'] as const);
  let sasl: KafkaConfig['sasl'];
  if (mechanism) {
    const username = r.opt('KAFKA_SASL_USERNAME');
    const password = r.opt('KAFKA_SASL_PASSWORD');
    if (!username) r.problems.push('KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set');
    if (!password) r.problems.push('KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
    sasl = { mechanism, username: username ?? '', password: password ?? '' };
  }
  const useSsl = r.bool('KAFKA_SSL');
  const ca = r.file('KAFKA_SSL_CA_FILE');
  const cert = r.file('KAFKA_SSL_CERT_FILE');
  const key = r.file('KAFKA_SSL_KEY_FILE');
  const rejectUnauthorized = r.bool('KAFKA_SSL_REJECT_UNAUTHORIZED');
  return {
    brokers,
    clientId: r.str('KAFKA_CLIENT_ID'),
    client: r.oneOf('METERLINE_KAFKA_CLIENT', ['rdkafka', 'kafkajs'] as const) ?? 'rdkafka',
    topicPrefix: r.str('KAFKA_TOPIC_PREFIX'),
    ssl: useSsl ? { ca, cert, key, rejectUnauthorized } : false,
    ...(sasl ? { sasl } : {}),
    replicationFactor: r.int('KAFKA_REPLICATION_FACTOR', 1, 32),
    minInsyncReplicas: r.int('KAFKA_MIN_INSYNC_REPLICAS', 1, 32),
    partitions: r.int('KAFKA_PARTITIONS', 1, 10_000),
  };
}

function readDatabase(r: Reader): DatabaseConfig {
  const url = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const mode = r.oneOf('DATABASE_SSL_MODE', ['disable', 'require', 'verify-full'] as const) ?? 'disable';
  const ca = r.file('DATABASE_SSL_CA_FILE');
  const ssl = mode === 'disable' ? false : { rejectUnauthorized: mode === 'verify-full', ...(ca ? { ca } : {}) };
  return { url, ssl, poolSize: r.int('DATABASE_POOL_SIZE', 1, 1000) };
}

/** Parse and validate the whole environment; throws one config error listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const registryUrl = r.opt('SCHEMA_REGISTRY_URL');
  const config: Config = {
    port: r.int('PORT', 0, 65535),
    catalogPath: r.opt('METERLINE_CATALOG'),
    kafka: readKafka(r),
    database: readDatabase(r),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    ...(registryUrl
      ? {
          schemaRegistry: {
            url: r.url('SCHEMA_REGISTRY_URL', ['http:', 'https:']),
            username: r.opt('SCHEMA_REGISTRY_USERNAME'),
            password: r.opt('SCHEMA_REGISTRY_PASSWORD'),
          },
        }
      : {}),
    windowMs: r.duration('METERLINE_WINDOW'),
    allowedLatenessMs: r.duration('METERLINE_ALLOWED_LATENESS'),
    idleTimeoutMs: r.duration('METERLINE_IDLE_TIMEOUT'),
    dedupHorizonMs: r.duration('METERLINE_DEDUP_HORIZON'),
    maxSampleAgeMs: r.duration('METERLINE_MAX_SAMPLE_AGE'),
    maxClockSkewMs: r.duration('METERLINE_MAX_CLOCK_SKEW'),
    maxBodyBytes: r.int('METERLINE_MAX_BODY_BYTES', 1024, 1 << 30),
    maxBatchSamples: r.int('METERLINE_MAX_BATCH_SAMPLES', 1, 1_000_000),
    keyRateLimit: r.int('METERLINE_KEY_RATE_LIMIT', 0, 1_000_000),
    keyRateBurst: r.int('METERLINE_KEY_RATE_BURST', 1, 1_000_000),
    logLevel: r.str('METERLINE_LOG_LEVEL'),
    webhooksAllowPrivate: r.bool('METERLINE_WEBHOOKS_ALLOW_PRIVATE'),
  };
  const webhookKey = r.opt('METERLINE_WEBHOOK_KEY');
  if (webhookKey !== undefined) {
    const key = parseWebhookKey(webhookKey);
    if (key) config.webhookKey = key;
    else r.problems.push('METERLINE_WEBHOOK_KEY: must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)');
  }
  const logFormat = r.str('METERLINE_LOG_FORMAT');
  if (!['auto', 'text', 'json'].includes(logFormat)) r.problems.push(`METERLINE_LOG_FORMAT=${JSON.stringify(logFormat)}: must be auto, text or json`);
  if (!LOG_LEVELS.includes(config.logLevel)) {
    r.problems.push(`METERLINE_LOG_LEVEL=${JSON.stringify(config.logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (86_400_000 % config.windowMs !== 0) {
    r.problems.push('METERLINE_WINDOW: must divide a day evenly (e.g. 1m, 5m, 1h)');
  }
  if (r.problems.length > 0) {
    throw new MeterlineError('config', `bad configuration: ${r.problems.join('; ')}`);
  }
  return config;
}

export const portBase = (env: Env = process.env): number => {
  const v = env.METERLINE_PORT_BASE?.trim();
  if (!v) return STACK_PORT_BASE_DEFAULT;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1024 || n > 65000) {
    throw new MeterlineError('config', `bad configuration: METERLINE_PORT_BASE=${JSON.stringify(v)}: must be a whole number from 1024 to 65000`);
  }
  return n;
};
