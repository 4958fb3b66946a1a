// The access guard of a route, from its RouteSpec: public routes pass; every other route needs
// a valid key (401) of one of the roles the spec allows (403), then its parameters are
// validated. Installed on the app in front of each route's handlers (guardRoutes), so no
// route is reachable without the policy its spec declares, whoever wrote the handler.
import type { Hono, MiddlewareHandler } from 'hono';
import { apiKeyAuth, type AuthEnv, type KeyLookup } from '../auth/index.js';
import type { RouteSpec } from '../openapi/spec.js';
import { validateRequest } from '../openapi/validate.js';

export function accessGuard(spec: RouteSpec, lookup: KeyLookup): MiddlewareHandler<AuthEnv> {
  if (spec.access.public === true) {
    return async function publicRoute(_c, next) {
      await next();
    };
  }
  return apiKeyAuth({ lookup, allow: spec.access.roles, action: spec.access.action });
}

/** Puts guard + validation in front of each spec's route on `app` (before the handlers mount). */
export function guardRoutes(app: Hono, specs: readonly RouteSpec[], lookup: KeyLookup): void {
  for (const spec of specs) {
    app.on(spec.method.toUpperCase(), spec.path, accessGuard(spec, lookup) as unknown as MiddlewareHandler, validateRequest(spec));
  }
}
