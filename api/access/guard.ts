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
  const auth = apiKeyAuth({ lookup, allow: spec.access.roles, action: spec.access.action });
  if (!spec.access.confined) return auth;
  // Defence in depth for customer-confined routes: whatever the handler does, a customer key
  // naming another customer (or a customer key without one) stops here. The handlers still
  // force their own filter from the key (server ids, invoice ids cannot be checked here).
  return async function confinedRoute(c, next) {
    let denied: Response | undefined;
    const answered = await auth(c, async () => {
      const key = c.get('apiKey');
      const asked = c.req.query('customer');
      if (key.role === 'customer' && (!key.customer || (asked !== undefined && asked !== '' && asked !== key.customer))) {
        denied = c.json({ error: "this key may read only its own customer's data" }, 403);
        return;
      }
      await next();
    });
    return denied ?? answered;
  };
}

/** Puts guard + validation in front of each spec's route on `app` (before the handlers mount). */
export function guardRoutes(app: Hono, specs: readonly RouteSpec[], lookup: KeyLookup): void {
  for (const spec of specs) {
    app.on(spec.method.toUpperCase(), spec.path, accessGuard(spec, lookup) as unknown as MiddlewareHandler, validateRequest(spec));
  }
}
