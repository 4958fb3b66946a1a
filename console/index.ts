// The web console (SPEC §14), mounted by the api role on its app: server-rendered pages over
// the HTTP API (console/api-client.ts), with small script islands (the charts) and local assets.
// Page routes are mounted after the API's, so /v1/* never reaches them.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Catalog } from '../catalog/types.js';
import type { KeyLookup } from '../api/auth/index.js';
import { assetRoutes } from './assets.js';
import { notFound } from '../api/middleware/index.js';
import { requireSession, securityHeaders, setSecurityHeaders, type ConsoleEnv } from './http.js';
import { errorPage } from './pages/error.js';
import { availabilityRoutes } from './pages/availability.js';
import { creditNoteRoutes } from './pages/credit-notes.js';
import { customersRoutes } from './pages/customers.js';
import { invoiceRoutes } from './pages/invoice.js';
import { invoicesRoutes } from './pages/invoices.js';
import { revenueRoutes } from './pages/revenue.js';
import { signinRoutes } from './pages/signin.js';
import { usageRoutes } from './pages/usage.js';
import { webhookRoutes } from './pages/webhooks.js';
import { whatIfRoutes } from './pages/what-if.js';
import { sealer } from './session.js';

export interface ConsoleDeps {
  catalog: Catalog;
  lookup: KeyLookup;
  /** The 32-byte session seal key (loadSealKey). */
  sealKey: Buffer;
  now?: () => number;
}

/** Every page path: the session guard and security headers go in front of exactly these. */
const PAGES = ['/', '/usage', '/availability', '/invoices', '/invoices/*', '/credit-notes/*', '/revenue', '/customers', '/customers/*', '/subscriptions/*', '/webhooks', '/webhooks/*', '/what-if'];

export function mountConsole(app: Hono, deps: ConsoleDeps): void {
  const now = deps.now ?? Date.now;
  const seal = sealer(deps.sealKey);
  const guard = requireSession(app, seal, now) as unknown as MiddlewareHandler;
  app.use('/assets/*', securityHeaders);
  app.use('/signin', securityHeaders);
  app.use('/signout', securityHeaders);
  for (const p of PAGES) app.use(p, securityHeaders, guard);
  app.route('/', assetRoutes());
  app.route('/', signinRoutes({ lookup: deps.lookup, sealer: seal, now }));
  const pages = new Hono<ConsoleEnv>();
  pages.get('/', (c) => c.redirect('/usage', 303));
  pages.route('/', usageRoutes({ aggregationOf: (m) => deps.catalog.meters[m]?.aggregation, meters: Object.keys(deps.catalog.meters).sort(), now }));
  pages.route('/', availabilityRoutes({ now, timezone: deps.catalog.timezone }));
  pages.route('/', creditNoteRoutes());
  pages.route('/', invoiceRoutes());
  pages.route('/', invoicesRoutes());
  pages.route('/', revenueRoutes());
  pages.route('/', customersRoutes({ plans: Object.keys(deps.catalog.plans).sort(), now }));
  pages.route('/', webhookRoutes());
  pages.route('/', whatIfRoutes({ now, timezone: deps.catalog.timezone }));
  app.route('/', pages as unknown as Hono);
  // A path nobody serves: the API's JSON 404 under /v1, else a console page under the console's
  // headers (a plain-text answer without the CSP would be the one page outside the policy).
  app.notFound(async (c) => {
    if (c.req.path.startsWith('/v1/')) return notFound(c);
    const res = await c.html(errorPage(404, 'There is no such page.'), 404);
    setSecurityHeaders(c);
    return res;
  });
}
