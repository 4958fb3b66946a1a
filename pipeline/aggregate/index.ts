// The aggregate role as `meterline aggregate` and `meterline run` start it: wires Config, the
// catalogue, Kafka, the Avro serde, Redis and the subscriptions in PostgreSQL (their boundaries
// cut windows, subscription-feed.ts) into startAggregate (role.ts).
import { Redis } from 'ioredis';
import type { Catalog } from '../../catalog/types.js';
import type { Config } from '../../config/env.js';
import type { Role, RunningRole, RoleContext } from '../../roles/role.js';
import { loadCatalog } from '../../catalog/load.js';
import { createKafka } from '../../kafka/client.js';
import { kafkaLogTo, prepareTopics, requireCatalogPath } from '../../roles/bootstrap.js';
import { createSerde } from '../../avro/registry.js';
import { createMetrics } from '../../observability/metrics.js';
import { redisDedup, DEFAULT_DEDUP_PREFIX } from './dedup.js';
import { catalogSplitPoints } from './split-points.js';
import { subscriptionFeed } from './subscription-feed.js';
import { createPool } from '../../db/pool.js';
import { startAggregate, AGGREGATE_GROUP, type AggregateOptions, type AggregateRole } from './role.js';
import { transactionsFor } from './transaction.js';

export interface AggregateRoleOptions {
  /** Overrides METERLINE_CATALOG. */
  catalogPath?: string;
  commitEveryMs?: number;
  commitEveryRecords?: number;
  sessionTimeoutMs?: number;
  onCommit?: AggregateOptions['onCommit'];
}

/** The aggregator's settings from the catalogue (meters, billing split points) and Config (window, lateness, idleness). */
export function aggregatorSettings(
  catalog: Catalog,
  config: Config,
  subscriptionPoints?: (serverId: string) => readonly number[],
): AggregateOptions['aggregator'] {
  return {
    meters: Object.values(catalog.meters),
    windowMs: config.windowMs,
    allowedLatenessMs: config.allowedLatenessMs,
    idleTimeoutMs: config.idleTimeoutMs,
    splitPoints: catalogSplitPoints(catalog, subscriptionPoints),
  };
}

/** The process's readiness registry, when the context carries one (not in tests). */
const readinessOf = (ctx: RoleContext): { add(name: string, probe: () => Promise<void>): void } | undefined =>
  (ctx as { readiness?: { add(name: string, probe: () => Promise<void>): void } }).readiness;

export function aggregateRole(o: AggregateRoleOptions = {}): Role {
  return {
    name: 'aggregate',
    async start(ctx: RoleContext): Promise<RunningRole> {
      const { config, log, metrics } = ctx;
      const catalog = await loadCatalog(requireCatalogPath('aggregate', o.catalogPath, config));
      const kafka = createKafka(config.kafka, { role: 'aggregate', log: kafkaLogTo(log) });
      const names = await prepareTopics(kafka, config, log);
      const prefix = config.kafka.topicPrefix;
      const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
      // ioredis connects and reconnects by itself; without a listener its errors bypass the
      // logger. A Redis that is not up yet at start is waited for (its retries go on), never a
      // reason to exit — an explicit connect() would reject once and end the process.
      redis.on('error', (err: Error) => log.warn({ err: err.message }, 'aggregate: redis'));
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      // Subscriptions created or ended over the API cut windows like the catalogue's (SPEC
      // §6.1): loaded before the first record is aggregated, then followed by LISTEN/NOTIFY.
      const pool = createPool(config.database, { max: 1, applicationName: 'meterline-aggregate' });
      // The feed is told of changes before the role exists (its first load): the role reads the
      // loaded boundaries when it starts, later changes reach it through `started`.
      const started: { role?: AggregateRole } = {};
      const feed = subscriptionFeed(pool, log, (serverId) => started.role?.splitPointsChanged(serverId));
      // /readyz fails while a partition cannot make progress (a stall used to stay green) or
      // while subscription changes are not heard.
      readinessOf(ctx)?.add('aggregate', async () => {
        const problems = Object.entries(started.role?.problems() ?? {});
        if (!feed.live()) problems.push(['subscriptions', 'not listening for subscription changes in PostgreSQL']);
        if (problems.length > 0) throw new Error(problems.map(([c, p]) => `${c}: ${p}`).join('; '));
      });
      await feed.ready;
      const role = await startAggregate({
        kafka,
        // METERLINE_KAFKA_CLIENT: the partitions' transactional producers (the group stays kafkajs).
        transactions: transactionsFor(config.kafka, kafka, kafkaLogTo(log), { metadataTopic: names.rollups }),
        serde: await createSerde(config),
        dedup: redisDedup(redis, config.dedupHorizonMs, `${prefix}${DEFAULT_DEDUP_PREFIX}`, names.raw),
        topics: { raw: names.raw, rollups: names.rollups, dlq: names.dlq, state: names.aggregateState },
        aggregator: aggregatorSettings(catalog, config, (serverId) => feed.points(serverId)),
        log,
        // The process's registry (served on /metrics); a private one only without it (tests).
        metrics: metrics ?? createMetrics(),
        // Group and transactional ids carry the topic prefix: one cluster, several deployments.
        groupId: `${prefix}${AGGREGATE_GROUP}`,
        ...(o.commitEveryMs !== undefined ? { commitEveryMs: o.commitEveryMs } : {}),
        ...(o.commitEveryRecords !== undefined ? { commitEveryRecords: o.commitEveryRecords } : {}),
        ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
        ...(o.onCommit ? { onCommit: o.onCommit } : {}),
      });
      started.role = role;
      return {
        async stop() {
          await role.stop();
          await feed.close();
          await pool.end();
          redis.disconnect();
        },
      };
    },
  };
}
