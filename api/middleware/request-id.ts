// Request ids: `x-request-id` from the caller (a proxy or client tracing its request) when it is
// a sane token, a new UUID otherwise; echoed on the response and put on every log line of the
// request, so one id follows the request through load balancer, API and logs.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Printable token characters, bounded: a header is logged, so it must not carry junk. */
const SANE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestId(opts: { generate?: () => string } = {}): MiddlewareHandler {
  const generate = opts.generate ?? randomUUID;
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header(REQUEST_ID_HEADER);
    const id = given !== undefined && SANE.test(given) ? given : generate();
    c.set('requestId', id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
  };
}
