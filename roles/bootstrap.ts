// What the Kafka roles (ingest, aggregate, sink, rate, api) do alike before their work starts:
// find the catalogue file, send kafkajs' log lines into the role's logger, and make sure every
// topic of the deployment exists before subscribing (a consumer on a missing topic waits
// silently instead of failing).
import type { Kafka } from 'kafkajs';
import type { Config } from '../config/env.js';
import type { Logger } from '../observability/log.js';
import { MeterlineError } from '../lib/errors.js';
import type { KafkaLog } from '../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from '../kafka/topics.js';
import { retryTransient } from './retry.js';

/** The catalogue file `role` runs with: its --catalog flag over METERLINE_CATALOG; a config error otherwise. */
export function requireCatalogPath(role: string, flag: string | undefined, config: Config): string {
  const path = flag ?? config.catalogPath;
  if (!path)
    throw new MeterlineError(
      'config',
      `bad configuration: the ${role} role needs the catalogue (--catalog FILE or METERLINE_CATALOG)`,
    );
  return path;
}

/** kafkajs' log lines as the role's own structured lines (one stream, the role's level and fields). */
export const kafkaLogTo =
  (log: Logger): KafkaLog =>
  (level, message, fields) =>
    log[level]({ ...fields }, `kafka: ${message}`);

/**
 * Creates (or checks) every topic of the deployment, logging what does not match; returns the
 * topic names. A broker that is down, or fresh and still electing leaders (UNKNOWN_TOPIC_OR_
 * PARTITION right after creation), is waited for (roles/retry.ts), never a reason to exit.
 */
export async function prepareTopics(kafka: Kafka, config: Config, log: Logger): Promise<TopicNames> {
  const r = await retryTransient(
    'kafka: preparing topics',
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        return await ensureTopics(admin, topicSpecs(config));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { log },
  );
  if (r.created.length > 0) log.info({ topics: r.created }, 'created topics');
  for (const w of r.warnings) log.warn(w);
  return topicNames(config.kafka.topicPrefix);
}
