// The HTTP app every HTTP role shares: request ids, JSON access logs, request metrics and one
// error handler in front of everything; /healthz, /readyz, /metrics and /openapi.json; each
// role mounts its own routes on it (RoleContext.app). Built by a factory, no module-level app,
// so tests get a fresh one.
import { Hono } from 'hono';
import { createLogger, type Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';
import { accessLog, errorHandler, httpMetrics, keyRateLimit, notFound, requestId, type KeyRateLimitOptions } from './middleware/index.js';

export interface AppOptions {
  log?: Logger;
  /** The process's metric registry: served on /metrics, HTTP latency recorded into it. */
  metrics?: Metrics;
  /** Dependency probes behind /readyz; without it /readyz checks nothing (and says so). */
  readiness?: Readiness;
  /** Version in the OpenAPI document. */
  version?: string;
  /** Per-key request rate limit (429 over it); none without it. */
  keyRateLimit?: KeyRateLimitOptions;
}

export const APP_VERSION = '0.1.0';

export function createApp(opts: AppOptions = {}): Hono {
  const log = opts.log ?? createLogger();
  const app = new Hono();
  app.onError(errorHandler(log));
  app.notFound(notFound);
  app.use('*', requestId());
  app.use('*', accessLog(log));
  if (opts.metrics) app.use('*', httpMetrics(opts.metrics));
  if (opts.keyRateLimit) app.use('*', keyRateLimit(opts.keyRateLimit));

  // Liveness only: the process runs and serves HTTP. Readiness of dependencies is /readyz's job.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    if (!opts.readiness) return c.json({ status: 'ready', checks: {} });
    const report = await opts.readiness.check();
    return c.json({ status: report.ready ? 'ready' : 'unready', checks: report.checks }, report.ready ? 200 : 503);
  });

  if (opts.metrics) {
    const registry = opts.metrics.registry;
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  }

  // The whole API's document, whichever roles this process runs: one contract for clients.
  // Built at its first request: the route specs load zod and every schema, which a consumer
  // role (aggregate, sink, rate) would otherwise hold from its start for a rarely read page.
  let document: Promise<object> | undefined;
  const build = async (): Promise<object> => {
    const { ALL_ROUTES, openApiDocument } = await import('./openapi/index.js');
    return openApiDocument(ALL_ROUTES, { version: opts.version ?? APP_VERSION });
  };
  app.get('/openapi.json', async (c) => c.json(await (document ??= build())));
  return app;
}
