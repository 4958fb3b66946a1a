// What every role process shares, built once per process: the metric registry, the readiness
// probes of the dependencies its roles need, and the HTTP app serving /healthz, /readyz,
// /metrics (consumer roles too: Kubernetes probes and Prometheus scrape every Deployment).
import type { Hono } from 'hono';
import { createApp } from '../api/app.js';
import type { Config } from '../config/env.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { databaseProbeFromConfig, kafkaProbeFromConfig, type ClosableProbe } from './probes.js';
import { createReadiness, type Readiness, type ReadinessOptions } from './readiness.js';

export type Dependency = 'kafka' | 'database';

export interface RoleProcess {
  app: Hono;
  metrics: Metrics;
  readiness: Readiness;
  /** Releases the probes' clients. */
  close(): Promise<void>;
}

/** Which dependencies each role needs to do its work (its /readyz checks exactly these). */
export const ROLE_NEEDS: Readonly<Record<string, readonly Dependency[]>> = {
  ingest: ['kafka', 'database'], // Kafka for samples, the database for API keys and Nagios states
  aggregate: ['kafka'],
  sink: ['kafka', 'database'],
  rate: ['kafka', 'database'],
  api: ['database'],
};

export function needsOf(roles: readonly string[]): Dependency[] {
  const all = new Set<Dependency>();
  for (const r of roles) for (const d of ROLE_NEEDS[r] ?? ['kafka', 'database']) all.add(d);
  return [...all].sort();
}

export function createRoleProcess(
  config: Config,
  log: Logger,
  needs: readonly Dependency[],
  probeOptions: Pick<ReadinessOptions, 'timeoutMs' | 'cacheMs'> = {},
): RoleProcess {
  const metrics = createMetrics();
  const probes: Record<string, ClosableProbe> = {};
  if (needs.includes('kafka')) probes.kafka = kafkaProbeFromConfig(config.kafka);
  if (needs.includes('database')) probes.database = databaseProbeFromConfig(config.database);
  const readiness = createReadiness({ ...probeOptions, probes: Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.probe])) });
  const app = createApp({ log, metrics, readiness, keyRateLimit: { perSecond: config.keyRateLimit, burst: config.keyRateBurst } });
  return {
    app,
    metrics,
    readiness,
    async close() {
      await Promise.all(Object.values(probes).map((p) => p.close().catch(() => undefined)));
    },
  };
}
