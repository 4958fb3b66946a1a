// Provisioning routes (SPEC §10), finance keys only: PUT /v1/customers/:id, POST
// /v1/subscriptions, PATCH /v1/subscriptions/:id, GET /v1/subscriptions?server_id=&customer=.
// Validated like the catalogue file (422 naming each bad field); an overlapping subscription or
// a change reaching into a finalized period is 409. Each change recomputes the customer's drafts.
import { Hono } from 'hono';
import type pg from 'pg';
import { apiKeyAuth, type AuthEnv, type KeyLookup } from '../auth/index.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { errorResponse } from '../../invoicing/http-errors.js';
import { ProvisioningService } from '../../invoicing/provisioning.js';

export interface ProvisioningRouteOptions {
  pool: pg.Pool;
  ctx: InvoicingContext;
  lookup: KeyLookup;
}

export function provisioningRoute(opts: ProvisioningRouteOptions): Hono<AuthEnv> {
  const service = new ProvisioningService(opts.pool, opts.ctx);
  const app = new Hono<AuthEnv>();
  const finance = apiKeyAuth({ lookup: opts.lookup, allow: ['finance'], action: 'manage customers and subscriptions' });

  app.put('/v1/customers/:id', finance, async (c) => {
    try {
      const r = await service.putCustomer(c.req.param('id'), await c.req.text());
      return c.json(r.customer, r.created ? 201 : 200);
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.post('/v1/subscriptions', finance, async (c) => {
    try {
      const r = await service.createSubscription(await c.req.text());
      if (r.created) c.header('Location', `/v1/subscriptions/${encodeURIComponent(r.subscription.id)}`);
      return c.json(r.subscription, r.created ? 201 : 200);
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.patch('/v1/subscriptions/:id', finance, async (c) => {
    try {
      return c.json(await service.patchSubscription(c.req.param('id'), await c.req.text()));
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/v1/subscriptions', finance, async (c) => {
    const serverId = c.req.query('server_id') || undefined;
    const customer = c.req.query('customer') || undefined;
    return c.json({ subscriptions: await service.listSubscriptions({ ...(serverId ? { serverId } : {}), ...(customer ? { customer } : {}) }) });
  });

  return app;
}
