// One JSON log line per request (pino), carrying the request id; the request's child logger is
// in c.var.log for handlers that log more. Health, readiness and metrics scrapes log at debug:
// they arrive every few seconds and say nothing about traffic.
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../observability/log.js';

const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

export function accessLog(log: Logger): MiddlewareHandler {
  return async function accessLogMiddleware(c, next) {
    const started = performance.now();
    const reqLog = log.child({ req_id: c.get('requestId') });
    c.set('log', reqLog);
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const status = c.res.status;
    const fields = { method: c.req.method, path: c.req.path, status, ms, key_id: (c.var as { apiKey?: { id: string } }).apiKey?.id };
    if (status >= 500) reqLog.error(fields, 'request failed');
    else if (QUIET.has(c.req.path)) reqLog.debug(fields, 'request');
    else reqLog.info(fields, 'request');
  };
}
