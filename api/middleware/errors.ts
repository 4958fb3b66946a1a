// The one place an unexpected error becomes an HTTP answer: a MeterlineError's kind picks the
// status (unavailable → 503 with Retry-After, not_found → 404, …); anything else is a 500 whose
// body names the request id (the log line has the stack), never the error's internals.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { MeterlineError } from '../../lib/errors.js';
import type { Logger } from '../../observability/log.js';

const STATUS_OF_KIND: Partial<Record<string, 404 | 409 | 422 | 503>> = {
  validation: 422,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

export function errorHandler(log: Logger): ErrorHandler {
  return function onError(err: Error, c: Context) {
    const requestId = c.get('requestId');
    if (err instanceof HTTPException) return err.getResponse();
    const status = err instanceof MeterlineError ? STATUS_OF_KIND[err.kind] : undefined;
    if (status !== undefined) {
      if (status === 503) c.header('Retry-After', '5');
      (c.get('log') ?? log).warn({ err: err.message, kind: (err as MeterlineError).kind, status }, 'request error');
      return c.json({ error: err.message, request_id: requestId }, status);
    }
    (c.get('log') ?? log).error({ err }, 'unhandled error');
    return c.json({ error: 'internal error; the server log has the details under this request id', request_id: requestId }, 500);
  };
}

/** A path no route serves: JSON like every other API answer, naming what was asked. */
export const notFound: NotFoundHandler = (c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404);
