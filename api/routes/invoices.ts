// Invoice routes (SPEC §9, §10): GET /v1/invoices?customer=&period=, GET /v1/invoices/:id,
// GET /v1/invoices/:id/lines/:n/explain, POST /v1/invoices/finalize?period=[&customer=];
// GET /v1/invoices/:id also as an HTML or PDF document (SPEC §12.5, api/routes/documents.ts).
// Finance keys read everything and alone may finalize; a customer key reads only its own
// customer's invoices (another customer's invoice is a 404, so ids reveal nothing).
import { Hono } from 'hono';
import type pg from 'pg';
import { apiKeyAuth, confinedCustomer, type AuthEnv, type KeyLookup } from '../auth/index.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { invoiceDocumentFor } from '../../invoicing/documents/issued.js';
import { explainInvoiceLine } from '../../invoicing/explain.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { errorResponse } from '../../invoicing/http-errors.js';
import { documentResponse, requestedDocument } from './documents.js';

export interface InvoicesRouteOptions {
  pool: pg.Pool;
  ctx: InvoicingContext;
  lookup: KeyLookup;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const MAX_PARTS_PAGE = 10_000;

// A blank ?limit= / ?offset= is the parameter not given (docs/decisions.md, spec audit of §10).
function pageOf(q: Record<string, string | undefined>): { limit: number; offset: number } | string {
  const limit = q.limit ? Number(q.limit) : 1000;
  const offset = q.offset ? Number(q.offset) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PARTS_PAGE) return `limit: must be a whole number from 1 to ${MAX_PARTS_PAGE}`;
  if (!Number.isInteger(offset) || offset < 0) return 'offset: must be a whole number ≥ 0';
  return { limit, offset };
}

export function invoicesRoute(opts: InvoicesRouteOptions): Hono<AuthEnv> {
  const { pool, ctx } = opts;
  const app = new Hono<AuthEnv>();
  const readers = apiKeyAuth({ lookup: opts.lookup, allow: ['finance', 'customer'], action: 'read invoices' });
  const finance = apiKeyAuth({ lookup: opts.lookup, allow: ['finance'], action: 'finalize invoices' });

  app.post('/v1/invoices/finalize', finance, async (c) => {
    const period = c.req.query('period');
    if (!period || !PERIOD.test(period)) return c.json({ error: 'period: required, as YYYY-MM (e.g. ?period=2026-10)' }, 422);
    const customer = c.req.query('customer') || undefined;
    try {
      const results = await finalizePeriod(pool, ctx, period, customer);
      return c.json({ period, results });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/v1/invoices', readers, async (c) => {
    const period = c.req.query('period') || undefined;
    if (period !== undefined && !PERIOD.test(period)) return c.json({ error: 'period: must be YYYY-MM (e.g. 2026-10)' }, 422);
    let customer = c.req.query('customer') || undefined;
    const confined = confinedCustomer(c);
    if (confined !== undefined) {
      if (customer !== undefined && customer !== confined) return c.json({ error: "this key may read only its own customer's invoices" }, 403);
      customer = confined;
    }
    return c.json({ invoices: await listInvoices(pool, { ...(customer ? { customer } : {}), ...(period ? { period } : {}) }) });
  });

  const visible = async (id: string, confined: string | undefined) => {
    const [inv] = await listInvoices(pool, { id });
    return inv && (confined === undefined || inv.customer === confined) ? inv : undefined;
  };

  // JSON, or the printable document (SPEC §12.5): Accept: text/html | application/pdf, or `:id.pdf`.
  app.get('/v1/invoices/:id', readers, async (c) => {
    const { id, format } = requestedDocument(c, c.req.param('id'));
    const inv = await visible(id, confinedCustomer(c));
    if (!inv) return c.json({ error: `no invoice ${JSON.stringify(id)}` }, 404);
    if (format === 'json') return c.json(inv);
    return documentResponse(c, format, await invoiceDocumentFor(pool, ctx.catalog, inv), inv.id);
  });

  // The request is checked before anything is read; the invoice, line and parts are one snapshot.
  app.get('/v1/invoices/:id/lines/:n/explain', readers, async (c) => {
    const id = c.req.param('id');
    const n = Number(c.req.param('n'));
    if (!Number.isInteger(n) || n < 1) return c.json({ error: 'n: must be a line number from 1 (lines are numbered in order)' }, 422);
    const page = pageOf(c.req.query());
    if (typeof page === 'string') return c.json({ error: page }, 422);
    const { invoice, explanation } = await explainInvoiceLine(pool, id, n, page, confinedCustomer(c));
    if (!invoice) return c.json({ error: `no invoice ${JSON.stringify(id)}` }, 404);
    return explanation ? c.json(explanation) : c.json({ error: `invoice ${invoice.id} has no line ${n} (it has ${invoice.lines.length})` }, 404);
  });

  return app;
}
