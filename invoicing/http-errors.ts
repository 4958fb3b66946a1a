// Domain errors → HTTP responses for the invoicing routes: invalid input 422 naming each field,
// conflicts (overlap, final invoice, period not ended) 409, unknown ids 404. Anything else is
// rethrown for the app's one 500 handler.
import type { Context } from 'hono';
import { MeterlineError, ValidationError } from '../lib/errors.js';

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof ValidationError) return c.json({ error: err.message, problems: err.problems }, 422);
  if (err instanceof MeterlineError) {
    if (err.kind === 'validation') return c.json({ error: err.message }, 422);
    if (err.kind === 'conflict') return c.json({ error: err.message }, 409);
    if (err.kind === 'not_found') return c.json({ error: err.message }, 404);
    if (err.kind === 'unavailable') {
      c.header('Retry-After', '5');
      return c.json({ error: err.message }, 503);
    }
  }
  throw err;
}
