// The rate role as `meterline rate` and `meterline run` start it: loads the catalogue, seeds
// customers and subscriptions from it, and wires Config, Kafka, the Avro serde and PostgreSQL
// into startRate (rate-role.ts).
import type { Role, RunningRole, RoleContext } from '../roles/role.js';
import { loadCatalog } from '../catalog/load.js';
import { createKafka } from '../kafka/client.js';
import { kafkaLogTo, prepareTopics, requireCatalogPath } from '../roles/bootstrap.js';
import { roleHealth } from '../roles/health.js';
import { retryTransient } from '../roles/retry.js';
import { createSerde } from '../avro/registry.js';
import { createPool } from '../db/pool.js';
import { createMetrics } from '../observability/metrics.js';
import { seedFromCatalog } from './seed.js';
import { downIntervalsFor } from '../nagios/store/intervals.js';
import { startRate, RATE_GROUP, type RateOptions } from './rate-role.js';
import { startBillingEvents } from '../events/start.js';

export interface RateRoleOptions {
  /** Overrides METERLINE_CATALOG. */
  catalogPath?: string;
  /** false: rate from every part, not the running usage state (bench comparison). */
  incremental?: boolean;
  sessionTimeoutMs?: number;
  onBatch?: RateOptions['onBatch'];
}

export function rateRole(o: RateRoleOptions = {}): Role {
  return {
    name: 'rate',
    async start({ config, log, metrics, readiness }: RoleContext): Promise<RunningRole> {
      const catalog = await loadCatalog(requireCatalogPath('rate', o.catalogPath, config));
      const pool = createPool(config.database, { applicationName: 'meterline-rate' });
      const health = roleHealth('rate', readiness);
      try {
        // A database still starting up is waited for; a catalogue it refuses is not.
        const seeded = await retryTransient('rate: seeding from the catalogue', () => seedFromCatalog(pool, catalog), {
          log,
          onRetry: (err) => health.set('seed', (err as Error).message),
        });
        health.set('seed', undefined);
        log.info({ ...seeded, catalog: catalog.contentHash.slice(0, 12) }, 'rate: seeded customers and subscriptions from the catalogue');
        const kafka = createKafka(config.kafka, { role: 'rate', log: kafkaLogTo(log) });
        const names = await prepareTopics(kafka, config, log);
        const prefix = config.kafka.topicPrefix;
        const role = await startRate({
          kafka,
          pool,
          serde: await createSerde(config),
          topics: { rollups: names.rollups, dlq: names.dlq },
          // SLA credits from the Nagios host states stored by POST /v1/nagios/events.
          ctx: { catalog, now: Date.now, downIntervals: downIntervalsFor },
          log,
          health,
          metrics: metrics ?? createMetrics(),
          groupId: `${prefix}${RATE_GROUP}`,
          ...(o.incremental !== undefined ? { incremental: o.incremental } : {}),
          ...(o.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}),
          ...(o.onBatch ? { onBatch: o.onBatch } : {}),
        });
        // SPEC §13: the outbox relay (billing.documents) and the webhook worker run in the rate role.
        const events = startBillingEvents({ config, kafka, pool, serde: await createSerde(config), log, ...(metrics ? { metrics } : {}) });
        return {
          async stop() {
            await events.stop();
            await role.stop();
            await pool.end();
          },
        };
      } catch (err) {
        await pool.end();
        throw err;
      }
    },
  };
}
