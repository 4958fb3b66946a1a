// POST /v1/what-if?period=YYYY-MM[&customer=] (finance): the body is a proposed catalogue (YAML
// or JSON); the answer rates the period's stored usage under it beside the current catalogue
// (invoicing/what-if.ts). Nothing is written. A bad catalogue is a 422 listing every problem.
import { Hono } from 'hono';
import type pg from 'pg';
import { parseCatalog } from '../../catalog/load.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { errorResponse } from '../../invoicing/http-errors.js';
import { whatIf } from '../../invoicing/what-if.js';
import type { AuthEnv } from '../auth/index.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function whatIfRoute(opts: { pool: pg.Pool; ctx: InvoicingContext }): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  // The spec's guard (finance keys, period validated) runs in front of this handler.
  app.post('/v1/what-if', async (c) => {
    const period = c.req.query('period') ?? '';
    if (!PERIOD.test(period)) return c.json({ error: 'period: required, as YYYY-MM (e.g. ?period=2026-10)' }, 422);
    try {
      const proposed = parseCatalog(await c.req.text(), 'proposed catalogue');
      return c.json({ ...(await whatIf(opts.pool, opts.ctx, proposed, period, c.req.query('customer') || undefined)), current_catalog: opts.ctx.catalog.contentHash.slice(0, 12), proposed_catalog: proposed.contentHash.slice(0, 12) });
    } catch (err) {
      return errorResponse(c, err);
    }
  });
  return app;
}
