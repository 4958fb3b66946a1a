// The ingest role: POST /v1/samples → metrics.raw / metrics.dlq. Wiring only; the behaviour is
// in route.ts (HTTP), decode.ts (validation) and publisher.ts (Kafka).
import type { Hono } from 'hono';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import type { Role, RunningRole } from '../../roles/role.js';
import { createKafka } from '../../kafka/client.js';
import { kafkaLogTo, prepareTopics } from '../../roles/bootstrap.js';
import { createRecordProducer } from '../../kafka/record-producer.js';
import { createSerde } from '../../avro/registry.js';
import { createPool } from '../../db/pool.js';
import { apiKeyAuth, cachedKeyLookup, pgKeyStore, type KeyLookup } from '../../api/auth/index.js';
import type { Metrics } from '../../observability/metrics.js';
import { kafkaPublisher } from './publisher.js';
import { samplesRoute } from './route.js';
import { guardRoutes } from '../../api/access/index.js';
import { INGEST_ROUTES } from '../../api/openapi/index.js';
import { nagiosRoute } from '../../api/routes/nagios.js';
import { nagiosDraftRecompute } from '../../nagios/store/recompute.js';

export interface IngestOptions {
  /** API key lookup; default: PostgreSQL api_keys behind a 10 s cache. */
  lookup?: KeyLookup;
  /** A prepared Kafka client (tests inject network faults); default: from config. */
  kafka?: Kafka;
  /** Overrides METERLINE_KAFKA_CLIENT (the injected faults above reach kafkajs only). */
  kafkaClient?: Config['kafka']['client'];
  ackTimeoutMs?: number;
  metrics?: Metrics;
}

/** Mounts POST /v1/samples on `app`; returns how to release what it holds. */
export async function startIngest(config: Config, log: Logger, app: Hono, opts: IngestOptions = {}): Promise<RunningRole> {
  const kafka = opts.kafka ?? createKafka(config.kafka, { role: 'ingest', log: kafkaLogTo(log) });
  const names = await prepareTopics(kafka, config, log);
  const serde = await createSerde(config);
  const producer = createRecordProducer(config.kafka, {
    kafka, role: 'ingest', log: kafkaLogTo(log), metadataTopic: names.raw,
    ...(opts.kafkaClient ? { client: opts.kafkaClient } : {}),
    ...(opts.ackTimeoutMs !== undefined ? { ackTimeoutMs: opts.ackTimeoutMs } : {}),
  });
  // The database holds API keys and the Nagios host states (POST /v1/nagios/events).
  const pool = createPool(config.database, { applicationName: 'meterline-ingest', max: 4 });
  const lookup = opts.lookup ?? cachedKeyLookup(pgKeyStore(pool));
  const publisher = kafkaPublisher({ serde, producer, topics: { raw: names.raw, dlq: names.dlq } });
  // Each route's access policy and parameter checks from its spec (api/openapi/routes.ts).
  guardRoutes(app, INGEST_ROUTES, lookup);
  const route = samplesRoute({
    publisher,
    auth: apiKeyAuth({ lookup, allow: ['agent'], action: 'write samples' }),
    limits: config,
    log,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  app.route('/', route as unknown as Hono);
  const nagios = await nagiosDraftRecompute(config, pool, log);
  app.route('/', nagiosRoute({
    publisher, pool, limits: config, log, hosts: nagios.hosts,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(nagios.onStatesStored ? { onStatesStored: nagios.onStatesStored } : {}),
  }) as unknown as Hono);
  log.info({ topic: names.raw, framing: serde.format }, 'ingest: POST /v1/samples ready');
  return {
    async stop() {
      await producer.close();
      await pool.end();
    },
  };
}

export const ingestRole = (opts: IngestOptions = {}): Role => ({
  name: 'ingest',
  start: ({ config, log, app, metrics }) => startIngest(config, log, app, { ...(metrics ? { metrics } : {}), ...opts }),
});
