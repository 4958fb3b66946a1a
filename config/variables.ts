// Every environment variable meterline reads, declared once with its default and its meaning.
// The README's configuration table lists exactly these (a test keeps the two in step).
export interface VariableSpec {
  name: string;
  default?: string;
  doc: string;
}

/** Defaults point at the local stack (`meterline stack up`) so a checkout runs with no setup. */
export const STACK_PORT_BASE_DEFAULT = 19000;

/** Ports of the local stack, all derived from one base so a second checkout can move them together. */
export const stackPorts = (base: number) => ({
  kafka: base + 92,
  kafkaController: base + 93,
  postgres: base + 432,
  redis: base + 379,
  schemaRegistry: base + 81,
});

/** Connection defaults that follow METERLINE_PORT_BASE (the local stack's ports). */
export const stackDefaults = (base: number): Record<string, string> => {
  const p = stackPorts(base);
  return {
    KAFKA_BROKERS: `127.0.0.1:${p.kafka}`,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${p.postgres}/meterline`,
    REDIS_URL: `redis://127.0.0.1:${p.redis}`,
  };
};

export const VARIABLES: readonly VariableSpec[] = [
  { name: 'PORT', default: '8080', doc: 'HTTP port: the API of `run`, `ingest` and `api`; `/healthz`, `/readyz` and `/metrics` of every role.' },
  { name: 'METERLINE_CATALOG', doc: 'Catalogue file (YAML or JSON); same as `--catalog`.' },
  { name: 'KAFKA_BROKERS', default: '127.0.0.1:19092', doc: 'Comma-separated bootstrap brokers (default: the local stack).' },
  { name: 'KAFKA_CLIENT_ID', default: 'meterline', doc: 'Kafka client id prefix.' },
  { name: 'METERLINE_KAFKA_CLIENT', default: 'rdkafka', doc: 'Kafka client library of the roles\' producers: `rdkafka` (node-rdkafka, librdkafka) or `kafkajs`.' },
  { name: 'KAFKA_TOPIC_PREFIX', default: '', doc: 'Prefix for every topic name (e.g. `prod.`); tests use it for isolation.' },
  { name: 'KAFKA_SSL', default: 'false', doc: 'Use TLS to the brokers (`true`/`false`).' },
  { name: 'KAFKA_SSL_CA_FILE', doc: 'PEM file of the CA that signed the brokers\' certificates.' },
  { name: 'KAFKA_SSL_CERT_FILE', doc: 'PEM client certificate for mutual TLS.' },
  { name: 'KAFKA_SSL_KEY_FILE', doc: 'PEM client key for mutual TLS.' },
  { name: 'KAFKA_SSL_REJECT_UNAUTHORIZED', default: 'true', doc: 'Verify the brokers\' certificates.' },
  { name: 'KAFKA_SASL_MECHANISM', doc: 'SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512`.' },
  { name: 'KAFKA_SASL_USERNAME', doc: 'SASL user name (required with a mechanism).' },
  { name: 'KAFKA_SASL_PASSWORD', doc: 'SASL password (required with a mechanism).' },
  { name: 'KAFKA_REPLICATION_FACTOR', default: '1', doc: 'Replication factor of topics meterline creates (3 in production).' },
  { name: 'KAFKA_MIN_INSYNC_REPLICAS', default: '1', doc: '`min.insync.replicas` of topics meterline creates (2 in production).' },
  { name: 'KAFKA_PARTITIONS', default: '6', doc: 'Partitions of `metrics.raw` and `usage.rollups` when meterline creates them.' },
  { name: 'DATABASE_URL', default: 'postgres://postgres@127.0.0.1:19432/meterline', doc: 'PostgreSQL/TimescaleDB connection URL.' },
  { name: 'DATABASE_SSL_MODE', default: 'disable', doc: '`disable`, `require` (TLS, no verification) or `verify-full`.' },
  { name: 'DATABASE_SSL_CA_FILE', doc: 'PEM CA file for `verify-full`.' },
  { name: 'DATABASE_POOL_SIZE', default: '10', doc: 'Connections per process.' },
  { name: 'REDIS_URL', default: 'redis://127.0.0.1:19379', doc: 'Redis used for sample-id deduplication.' },
  { name: 'SCHEMA_REGISTRY_URL', doc: 'Confluent-compatible Schema Registry; when set, Kafka records use the Confluent wire format.' },
  { name: 'SCHEMA_REGISTRY_USERNAME', doc: 'Schema Registry basic-auth user.' },
  { name: 'SCHEMA_REGISTRY_PASSWORD', doc: 'Schema Registry basic-auth password.' },
  { name: 'METERLINE_WINDOW', default: '1m', doc: 'Base tumbling window of rollups.' },
  { name: 'METERLINE_ALLOWED_LATENESS', default: '10m', doc: 'Watermark = max event time − this.' },
  { name: 'METERLINE_IDLE_TIMEOUT', default: '30s', doc: 'A partition with no records for this long stops holding windows open.' },
  { name: 'METERLINE_DEDUP_HORIZON', default: '35d', doc: 'How long a sample id is remembered for deduplication.' },
  { name: 'METERLINE_MAX_SAMPLE_AGE', default: '35d', doc: 'Ingest rejects samples older than this.' },
  { name: 'METERLINE_MAX_CLOCK_SKEW', default: '5m', doc: 'Ingest rejects samples newer than now + this.' },
  { name: 'METERLINE_MAX_BODY_BYTES', default: '10485760', doc: 'Largest accepted HTTP request body (413 above).' },
  { name: 'METERLINE_MAX_BATCH_SAMPLES', default: '10000', doc: 'Most samples in one HTTP request.' },
  { name: 'METERLINE_KEY_RATE_LIMIT', default: '500', doc: 'Requests per second one API key may make to one process (429 with `Retry-After` above it; `0`: no limit). Counted per process: N replicas allow N times this.' },
  { name: 'METERLINE_KEY_RATE_BURST', default: '1000', doc: 'Requests one API key may make at once after a quiet spell (the token bucket\'s size).' },
  { name: 'METERLINE_LOG_LEVEL', default: 'info', doc: 'pino log level (`fatal` … `trace`, `silent`).' },
  { name: 'METERLINE_LOG_FORMAT', default: 'auto', doc: 'Log lines as `json` or `text`; `auto`: text on a terminal, JSON otherwise and always with `NODE_ENV=production`.' },
  { name: 'METERLINE_WEBHOOK_KEY', doc: 'AES-256-GCM key (64 hex digits or base64 of 32 bytes) that encrypts webhook signing secrets at rest; without it a public development key stands in, except with `NODE_ENV=production`, where `POST /v1/webhooks` answers 503 and no deliveries are sent.' },
  { name: 'METERLINE_WEBHOOKS_ALLOW_PRIVATE', default: 'false', doc: 'Also allow http and loopback/private webhook URLs (development and tests only; production needs https to public addresses).' },
  { name: 'METERLINE_STACK_DIR', default: '.stack', doc: 'Where `meterline stack` keeps data, logs and pid files (relative to the checkout).' },
  { name: 'METERLINE_CACHE_DIR', default: '~/.cache/meterline', doc: 'Download cache of `meterline stack` (Maven jars, the TimescaleDB root, helm).' },
  { name: 'METERLINE_PORT_BASE', default: String(STACK_PORT_BASE_DEFAULT), doc: 'Local stack ports: Kafka base+92, controller base+93, PostgreSQL base+432, Redis base+379, Schema Registry base+81.' },
  { name: 'METERLINE_SCHEMA_REGISTRY', default: 'true', doc: '`stack up` also starts a Schema Registry (Apicurio, ccompat API).' },
];
