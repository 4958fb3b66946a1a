// Billing events out as the rate role runs them (SPEC §13): the outbox relay to
// billing.documents and the webhook delivery worker, both fed by billing_events in PostgreSQL.
// Every rate process runs both: the relay stands by unless it holds the relay lock, the workers
// share deliveries through SKIP LOCKED. Without METERLINE_WEBHOOK_KEY in production no webhook
// can exist, so no worker starts (elsewhere the development key stands in: webhooks/key-in-force.ts).
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { AvroSerde } from '../avro/serde.js';
import type { Config } from '../config/env.js';
import { topicNames } from '../kafka/topics.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { DEVELOPMENT_KEY_WARNING, webhookKeyInForce } from '../webhooks/key-in-force.js';
import { secretBox } from '../webhooks/secret-box.js';
import { startWebhookWorker } from '../webhooks/worker.js';
import { RELAY_GROUP, startRelay } from './relay.js';

export interface BillingEventsOptions {
  config: Config;
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  log: Logger;
  metrics?: Metrics;
}

export function startBillingEvents(o: BillingEventsOptions): { stop(): Promise<void> } {
  const prefix = o.config.kafka.topicPrefix;
  const relay = startRelay({
    kafka: o.kafka,
    pool: o.pool,
    serde: o.serde,
    topic: topicNames(prefix).documents,
    groupId: `${prefix}${RELAY_GROUP}`,
    log: o.log,
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  const key = webhookKeyInForce(o.config.webhookKey);
  const worker = key
    ? startWebhookWorker({ pool: o.pool, box: secretBox(key.key), allowPrivate: o.config.webhooksAllowPrivate, log: o.log, ...(o.metrics ? { metrics: o.metrics } : {}) })
    : undefined;
  if (!worker) o.log.info('webhooks: METERLINE_WEBHOOK_KEY not set (NODE_ENV=production); no webhook deliveries from this process');
  else if (key?.development) o.log.warn(DEVELOPMENT_KEY_WARNING);
  return {
    async stop() {
      await Promise.all([relay.stop(), worker?.stop()]);
    },
  };
}
