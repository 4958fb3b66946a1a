// Middleware every HTTP role's app runs (api/app.ts installs them in this order).
import type { Logger } from '../../observability/log.js';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    log: Logger;
  }
}

export { requestId, REQUEST_ID_HEADER } from './request-id.js';
export { accessLog } from './access-log.js';
export { httpMetrics, routeOf } from './http-metrics.js';
export { errorHandler, notFound } from './errors.js';
export { keyRateLimit, type KeyRateLimitOptions } from './key-rate-limit.js';
