// meterline_http_request_seconds{method, route, status}: `route` is the matched route pattern
// (`/v1/invoices/:id`), never the raw path, so ids in paths cannot blow up label cardinality;
// an unmatched path is `unmatched`.
import type { Context, MiddlewareHandler } from 'hono';
import type { Metrics } from '../../observability/metrics.js';

export function routeOf(c: Context): string {
  const matched = c.req.matchedRoutes.filter((r) => r.method !== 'ALL' && r.path !== '/*' && r.path !== '*');
  return matched[matched.length - 1]?.path ?? 'unmatched';
}

export function httpMetrics(metrics: Pick<Metrics, 'httpRequestSeconds'>): MiddlewareHandler {
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.httpRequestSeconds.observe(
        { method: c.req.method, route: routeOf(c), status: String(c.res.status) },
        (performance.now() - started) / 1000,
      );
    }
  };
}
