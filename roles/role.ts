// The contract of a role (ingest, aggregate, sink, rate, api): `meterline run` starts every
// registered role in one process, `meterline <role>` one of them. A role gets the validated
// Config, a logger and the shared HTTP app (to mount its routes on), and returns a handle
// whose stop() drains its work (commit offsets, flush writes) before resolving.
import type { Hono } from 'hono';
import type { Config } from '../config/env.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';

export interface RoleContext {
  config: Config;
  log: Logger;
  /** The process's one HTTP app; routes are mounted before the server starts listening. */
  app: Hono;
  /**
   * The process's metric registry (served on /metrics): roles count into this one, not a
   * registry of their own, or their metrics are never scraped. Absent only in tests.
   */
  metrics?: Metrics;
  /** The process's /readyz: a role adds its own check (roles/health.ts). Absent only in tests. */
  readiness?: Readiness;
}

export interface RunningRole {
  stop(): Promise<void>;
}

export interface Role {
  name: string;
  start(ctx: RoleContext): Promise<RunningRole>;
}
