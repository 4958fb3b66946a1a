// Credit note routes (SPEC §12.4): POST /v1/invoices/:id/credit-notes (finance keys) creates a
// final credit note on a final invoice; GET /v1/invoices/:id/credit-notes and
// GET /v1/credit-notes/:id read them. A customer key reads only its own customer's credit notes
// (another customer's is a 404, as for invoices, so ids reveal nothing).
import { Hono } from 'hono';
import type pg from 'pg';
import { apiKeyAuth, confinedCustomer, type AuthEnv, type KeyLookup } from '../auth/index.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import { creditNotesOfInvoice, getCreditNote } from '../../invoicing/db/credit-notes.js';
import { invoiceCustomer } from '../../invoicing/db/invoices.js';
import { creditNoteDocumentFor } from '../../invoicing/documents/issued.js';
import { errorResponse } from '../../invoicing/http-errors.js';
import { documentResponse, requestedDocument } from './documents.js';

export interface CreditNotesRouteOptions {
  pool: pg.Pool;
  ctx: InvoicingContext;
  lookup: KeyLookup;
}

export function creditNotesRoute(opts: CreditNotesRouteOptions): Hono<AuthEnv> {
  const { pool, ctx } = opts;
  const app = new Hono<AuthEnv>();
  const readers = apiKeyAuth({ lookup: opts.lookup, allow: ['finance', 'customer'], action: 'read credit notes' });
  const finance = apiKeyAuth({ lookup: opts.lookup, allow: ['finance'], action: 'create credit notes' });
  const noInvoice = (id: string) => ({ error: `no invoice ${JSON.stringify(id)}` });

  app.post('/v1/invoices/:id/credit-notes', finance, async (c) => {
    try {
      const note = await createCreditNote(pool, ctx, c.req.param('id'), await c.req.text());
      c.header('Location', `/v1/credit-notes/${encodeURIComponent(note.id)}`);
      return c.json(note, 201);
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/v1/invoices/:id/credit-notes', readers, async (c) => {
    const id = c.req.param('id');
    const owner = await invoiceCustomer(pool, id);
    const confined = confinedCustomer(c);
    if (owner === undefined || (confined !== undefined && owner !== confined)) return c.json(noInvoice(id), 404);
    return c.json({ credit_notes: (await creditNotesOfInvoice(pool, id)).map((n) => n.document) });
  });

  // JSON, or the printable document (SPEC §12.5): Accept: text/html | application/pdf, or `:id.pdf`.
  app.get('/v1/credit-notes/:id', readers, async (c) => {
    const { id, format } = requestedDocument(c, c.req.param('id'));
    const note = await getCreditNote(pool, id);
    const confined = confinedCustomer(c);
    if (!note || (confined !== undefined && note.document.customer !== confined)) return c.json({ error: `no credit note ${JSON.stringify(id)}` }, 404);
    if (format === 'json') return c.json(note.document);
    return documentResponse(c, format, await creditNoteDocumentFor(pool, ctx.catalog, note), note.document.id);
  });

  return app;
}
