// Request validation from a RouteSpec: query and path parameters are checked against the
// route's zod schemas before its handler runs, and a failure is answered with every bad
// parameter named (`problems: [{path, message}]`). The same schemas are in /openapi.json.
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Problem } from '../../lib/errors.js';
import type { RouteSpec } from './spec.js';

function problemsOf(where: 'query' | 'path', schema: z.ZodObject | undefined, input: Record<string, string>): Problem[] {
  if (!schema) return [];
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join('.') : where,
    message: i.code === 'invalid_type' && input[String(i.path[0])] === undefined ? 'required' : i.message,
  }));
}

/**
 * The query parameters that carry a value: `?period=` (a blank form field, or SPEC §10's own
 * `?customer=&period=` spelling) is the parameter not given — its default when optional,
 * "required" when not. Handlers read blanks as absent too.
 */
const given = (q: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));

export function validateRequest(spec: RouteSpec): MiddlewareHandler {
  if (!spec.query && !spec.params) {
    return async function noParameters(_c, next) {
      await next();
    };
  }
  const status = spec.invalidStatus ?? 400;
  return async function validateParameters(c, next) {
    const problems = [...problemsOf('path', spec.params, c.req.param() as Record<string, string>), ...problemsOf('query', spec.query, given(c.req.query()))];
    if (problems.length > 0) {
      return c.json({ error: `bad request: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems }, status);
    }
    await next();
  };
}
