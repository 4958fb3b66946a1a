// The invoice.finalized event of one finalization, written by the finalizing transaction
// itself (invoicing/finalize.ts calls this with its transaction client): the document on
// billing.documents and in webhooks is exactly the invoice the API serves from then on.
import type { Queryable } from '../invoicing/db/tx.js';
import { listInvoices } from '../invoicing/db/invoices.js';
import { enqueueDocumentEvent } from './outbox.js';

/** Enqueues the event when `r` says the invoice was finalized now (not before, not empty). */
export async function enqueueFinalizedInvoice(tx: Queryable, r: { customer: string; invoice?: string; result: string }): Promise<void> {
  if (r.result !== 'finalized' || r.invoice === undefined) return;
  const [json] = await listInvoices(tx, { id: r.invoice });
  if (!json) throw new Error(`invoice ${r.invoice} vanished inside its own finalizing transaction`);
  await enqueueDocumentEvent(tx, { kind: 'invoice', id: r.invoice, customer: r.customer, json: json as unknown as Record<string, unknown> });
}
