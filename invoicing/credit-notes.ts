// Creating credit notes (SPEC §12.4): validate the request, lock the credited invoice's row,
// check each credited line against what remains of it, take the credit note number, write the
// note and its printed document — all in one transaction, so concurrent credit notes of one
// invoice never over-credit and a failed one burns no number.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { minorDigitsOf } from '../catalog/currencies.js';
import { MeterlineError, ValidationError } from '../lib/errors.js';
import type { InvoicingContext } from './context.js';
import { creditNoteDocument, planCredit, type CreditNoteJson } from './credit-note.js';
import { parseCreditNoteRequest } from './credit-note-request.js';
import { issueCreditNoteDocument } from './documents/issued.js';
import { creditedSoFar, insertCreditNote, lockInvoice } from './db/credit-notes.js';
import { listInvoices } from './db/invoices.js';
import { takeNumber } from './db/numbers.js';
import { withTransaction, type Queryable } from './db/tx.js';
import { numberFormatsOf } from './numbering.js';
import { enqueueDocumentEvent } from '../events/outbox.js';

const newCreditNoteId = (): string => `cn-${randomBytes(8).toString('hex')}`;

/**
 * Creates a final credit note on invoice `invoiceId` from the request body `body` (JSON text)
 * inside the caller's open transaction `client`. Whatever must happen atomically with it (an
 * outbox row) is written by the caller in the same transaction afterwards. Throws not_found
 * (404), conflict (409, a draft) or a ValidationError (422 naming the field or line).
 */
export async function createCreditNoteInTransaction(client: Queryable, ctx: InvoicingContext, invoiceId: string, body: string): Promise<CreditNoteJson> {
  const locked = await lockInvoice(client, invoiceId);
  if (!locked) throw new MeterlineError('not_found', `no invoice ${JSON.stringify(invoiceId)}`);
  const digits = minorDigitsOf(locked.currency);
  if (digits === undefined) throw new MeterlineError('internal', `invoice ${invoiceId}: unknown currency ${locked.currency}`);
  const req = parseCreditNoteRequest(body, digits);
  if (req.customer !== undefined && req.customer !== locked.customer) {
    throw new ValidationError('credit note request', [{ path: 'customer', message: `invoice ${invoiceId} is not an invoice of customer ${JSON.stringify(req.customer)}` }]);
  }
  if (locked.status !== 'final') {
    throw new MeterlineError('conflict', `invoice ${invoiceId} is a draft: only a final invoice can be credited (finalize its period first)`);
  }
  const [inv] = await listInvoices(client, { id: invoiceId });
  const invoice = { id: locked.id, number: locked.number, customer: locked.customer, currency: locked.currency, lines: inv!.lines };
  const lines = planCredit(invoice, await creditedSoFar(client, invoiceId), req);
  // SPEC §12.1 defines {YYYY} as "year of the period": the credited invoice's period.
  const year = Number(locked.period.slice(0, 4));
  const number = await takeNumber(client, numberFormatsOf(ctx.catalog).creditNote, year);
  const doc = creditNoteDocument({ id: newCreditNoteId(), number, reason: req.reason }, invoice, lines, digits);
  await insertCreditNote(client, invoiceId, doc, lines);
  // Its printed document (issuer, billing details) as of now, never changed afterwards.
  await issueCreditNoteDocument(client, ctx.catalog, doc.id);
  return doc;
}

/** createCreditNoteInTransaction in a transaction of its own. */
export async function createCreditNote(pool: pg.Pool, ctx: InvoicingContext, invoiceId: string, body: string): Promise<CreditNoteJson> {
  return withTransaction(pool, async (client) => {
    const doc = await createCreditNoteInTransaction(client, ctx, invoiceId, body);
    // SPEC §13: credit_note.created commits with the note (billing.documents and webhooks).
    await enqueueDocumentEvent(client, { kind: 'credit_note', id: doc.id, customer: doc.customer, json: doc as unknown as Record<string, unknown> });
    return doc;
  });
}
