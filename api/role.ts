// The api role (`meterline api`, and part of `meterline run`): the finance and customer API —
// rollups, availability, invoices, provisioning — behind the access guard of each route's spec
// (api/openapi/routes.ts). Loads the catalogue, seeds customers and subscriptions from it.
import type { Hono } from 'hono';
import type pg from 'pg';
import type { Catalog } from '../catalog/types.js';
import { loadCatalog } from '../catalog/load.js';
import { createPool } from '../db/pool.js';
import { requireCatalogPath } from '../roles/bootstrap.js';
import { roleHealth } from '../roles/health.js';
import { retryTransient } from '../roles/retry.js';
import type { InvoicingContext } from '../invoicing/context.js';
import { mountInvoicing } from '../invoicing/api-role.js';
import { seedFromCatalog } from '../invoicing/seed.js';
import { downIntervalsFor } from '../nagios/store/index.js';
import type { Role, RoleContext, RunningRole } from '../roles/role.js';
import { guardRoutes } from './access/index.js';
import { cachedKeyLookup, confinedCustomer, pgKeyStore, type KeyLookup } from './auth/index.js';
import { API_ROUTES } from './openapi/index.js';
import { availabilityRoute } from './routes/availability.js';
import { rollupsRoute } from './routes/rollups.js';
import { syncCatalog } from '../sinks/catalog-sync.js';
import { webhooksRoute } from './routes/webhooks.js';
import { whatIfRoute } from './routes/what-if.js';
import { secretBox, type SecretBox } from '../webhooks/secret-box.js';
import { DEVELOPMENT_KEY_WARNING, webhookKeyInForce } from '../webhooks/key-in-force.js';
import { mountConsole } from '../console/index.js';
import { loadSealKey } from '../console/session.js';

export interface ApiDeps {
  pool: pg.Pool;
  catalog: Catalog;
  lookup: KeyLookup;
  now?: () => number;
  /** Webhook routes: the secret box (absent = METERLINE_WEBHOOK_KEY unset) and the SSRF rule. */
  webhooks?: { box?: SecretBox; allowPrivate: boolean };
}

/** Guards, then mounts every API route on `app`. */
export function mountApi(app: Hono, deps: ApiDeps): InvoicingContext {
  const now = deps.now ?? Date.now;
  const ctx: InvoicingContext = { catalog: deps.catalog, now, downIntervals: downIntervalsFor };
  // Guards first: hono runs handlers in registration order, so every API route passes its
  // spec's key check and parameter validation before any handler of the route modules.
  guardRoutes(app, API_ROUTES, deps.lookup);
  app.route('/', rollupsRoute({ pool: deps.pool, catalog: deps.catalog, confinedTo: (c) => confinedCustomer(c as never) }));
  app.route('/', availabilityRoute({ pool: deps.pool, timezone: deps.catalog.timezone, now }) as unknown as Hono);
  mountInvoicing(app, { pool: deps.pool, ctx, lookup: deps.lookup });
  app.route('/', whatIfRoute({ pool: deps.pool, ctx }) as unknown as Hono);
  app.route('/', webhooksRoute({ pool: deps.pool, lookup: deps.lookup, ...(deps.webhooks ?? { allowPrivate: false }) }) as unknown as Hono);
  return ctx;
}

export function apiRole(o: { catalogPath?: string } = {}): Role {
  return {
    name: 'api',
    async start({ config, log, app, readiness }: RoleContext): Promise<RunningRole> {
      const catalog = await loadCatalog(requireCatalogPath('api', o.catalogPath, config));
      const pool = createPool(config.database, { applicationName: 'meterline-api' });
      const health = roleHealth('api', readiness);
      let sealKey: Buffer;
      try {
        // A database still starting up (or restarting) is waited for, not a reason to exit, as
        // in the rate and sink roles; a catalogue it refuses still fails the start.
        sealKey = await retryTransient(
          'api: seeding from the catalogue',
          async () => {
            await seedFromCatalog(pool, catalog);
            await syncCatalog(pool, catalog); // meters and time zone for the analyst views (sinks/catalog-sync.ts)
            return loadSealKey(pool);
          },
          { log, onRetry: (err) => health.set('seed', (err as Error).message) },
        );
        health.set('seed', undefined);
      } catch (err) {
        await pool.end();
        throw err;
      }
      const lookup = cachedKeyLookup(pgKeyStore(pool));
      const webhookKey = webhookKeyInForce(config.webhookKey);
      if (webhookKey?.development) log.warn(DEVELOPMENT_KEY_WARNING);
      const webhooks = { ...(webhookKey ? { box: secretBox(webhookKey.key) } : {}), allowPrivate: config.webhooksAllowPrivate };
      mountApi(app, { pool, catalog, lookup, webhooks });
      // The web console (SPEC §14) after the API: its pages read only through the routes above.
      mountConsole(app, { catalog, lookup, sealKey });
      log.info({ catalog: catalog.contentHash.slice(0, 12) }, 'api: rollups, availability, invoices and provisioning routes and the web console mounted');
      return { stop: () => pool.end() };
    },
  };
}
