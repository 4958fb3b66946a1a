// The aggregate role as `meterline aggregate` and `meterline run` start it: wires Config, the
// catalogue, Kafka, the Avro serde and Redis into startAggregate (role.ts).
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
import { startAggregate, AGGREGATE_GROUP, type AggregateOptions } from './role.js';

export interface AggregateRoleOptions {
  /** Overrides METERLINE_CATALOG. */
  catalogPath?: string;
  commitEveryMs?: number;
  commitEveryRecords?: number;
  sessionTimeoutMs?: number;
  onCommit?: AggregateOptions['onCommit'];
}

/** The aggregator's settings from the catalogue (meters, billing split points) and Config (window, lateness, idleness). */
export function aggregatorSettings(catalog: Catalog, config: Config): AggregateOptions['aggregator'] {
  return {
    meters: Object.values(catalog.meters),
    windowMs: config.windowMs,
    allowedLatenessMs: config.allowedLatenessMs,
    idleTimeoutMs: config.idleTimeoutMs,
    splitPoints: catalogSplitPoints(catalog),
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
      const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
      await redis.connect();
      const role = await startAggregate({
        kafka,
        serde: await createSerde(config),
        dedup: redisDedup(redis, config.dedupHorizonMs, `${prefix}${DEFAULT_DEDUP_PREFIX}`),
        topics: { raw: names.raw, rollups: names.rollups, dlq: names.dlq, state: names.aggregateState },
        aggregator: aggregatorSettings(catalog, config),
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
      // /readyz fails while a partition cannot make progress (a stall used to stay green).
      readinessOf(ctx)?.add('aggregate', async () => {
        const problems = Object.entries(role.problems());
        if (problems.length > 0) throw new Error(problems.map(([c, p]) => `${c}: ${p}`).join('; '));
      });
      return {
        async stop() {
          await role.stop();
          redis.disconnect();
        },
      };
    },
  };
}
