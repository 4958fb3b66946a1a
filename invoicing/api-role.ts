// The invoice and provisioning HTTP routes as a role: `meterline run` (and the api role) mount
// them on the process's shared app. Loads the catalogue (plans and meters for validation and
// rating), seeds customers and subscriptions from it, and authenticates with the key store.
import type { Hono } from 'hono';
import type pg from 'pg';
import type { Role, RunningRole, RoleContext } from '../roles/role.js';
import { MeterlineError } from '../lib/errors.js';
import { loadCatalog } from '../catalog/load.js';
import { createPool } from '../db/pool.js';
import { cachedKeyLookup, pgKeyStore, type KeyLookup } from '../api/auth/index.js';
import { invoicesRoute } from '../api/routes/invoices.js';
import { provisioningRoute } from '../api/routes/provisioning.js';
import type { InvoicingContext } from './context.js';
import { seedFromCatalog } from './seed.js';
import { downIntervalsFor } from '../nagios/store/intervals.js';

/** Mounts both route groups on `app`. */
export function mountInvoicing(app: Hono, deps: { pool: pg.Pool; ctx: InvoicingContext; lookup: KeyLookup }): void {
  app.route('/', invoicesRoute(deps));
  app.route('/', provisioningRoute(deps));
}

export function invoicesApiRole(o: { catalogPath?: string } = {}): Role {
  return {
    name: 'invoices-api',
    async start({ config, log, app }: RoleContext): Promise<RunningRole> {
      const path = o.catalogPath ?? config.catalogPath;
      if (!path) throw new MeterlineError('config', 'bad configuration: the invoice API needs the catalogue (--catalog FILE or METERLINE_CATALOG)');
      const catalog = await loadCatalog(path);
      const pool = createPool(config.database, { applicationName: 'meterline-invoices-api' });
      try {
        await seedFromCatalog(pool, catalog);
      } catch (err) {
        await pool.end();
        throw err;
      }
      mountInvoicing(app, { pool, ctx: { catalog, now: Date.now, downIntervals: downIntervalsFor }, lookup: cachedKeyLookup(pgKeyStore(pool)) });
      log.info({ catalog: catalog.contentHash.slice(0, 12) }, 'invoice and provisioning routes mounted');
      return { stop: () => pool.end() };
    },
  };
}
