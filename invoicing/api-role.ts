// The invoice, credit note and provisioning HTTP routes, mounted on the api role's app (api/role.ts), which
// loads the catalogue, seeds customers and subscriptions and guards every route by its spec.
import type { Hono } from 'hono';
import type pg from 'pg';
import type { KeyLookup } from '../api/auth/index.js';
import { creditNotesRoute } from '../api/routes/credit-notes.js';
import { invoicesRoute } from '../api/routes/invoices.js';
import { provisioningRoute } from '../api/routes/provisioning.js';
import type { InvoicingContext } from './context.js';

/** Mounts the invoice, credit note and provisioning routes on `app`. */
export function mountInvoicing(app: Hono, deps: { pool: pg.Pool; ctx: InvoicingContext; lookup: KeyLookup }): void {
  app.route('/', invoicesRoute(deps));
  app.route('/', creditNotesRoute(deps));
  app.route('/', provisioningRoute(deps));
}
