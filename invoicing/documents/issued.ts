// Issued documents never change (SPEC §12: final invoices and credit notes are immutable). A
// document prints, besides the JSON, data that can change later — the catalogue's issuer, tax
// names and prices, the customer's billing details and tax — so the whole document model is
// built once, in the transaction that makes the invoice final (or creates the credit note), and
// stored; a final document is rendered from that copy alone. Drafts render live data.
import type { Catalog } from '../../catalog/types.js';
import type { StoredCreditNote } from '../db/credit-notes.js';
import { getCreditNote } from '../db/credit-notes.js';
import { listInvoices } from '../db/invoices.js';
import { getIssuedDocument, storeIssuedDocument } from '../db/issued-documents.js';
import type { Queryable } from '../db/tx.js';
import type { InvoiceJson } from '../types.js';
import { creditNoteDocumentOf, invoiceDocumentOf } from './load.js';
import type { DocumentModel } from './model.js';

/** Stores the document of final invoice `id`; called by finalization inside its transaction. */
export async function issueInvoiceDocument(db: Queryable, catalog: Catalog, id: string): Promise<DocumentModel> {
  const [inv] = await listInvoices(db, { id });
  if (inv?.status !== 'final') throw new Error(`invoice ${id}: not final, so not issued (this is a bug)`);
  return storeIssuedDocument(db, { invoice: id }, await invoiceDocumentOf(db, catalog, inv), 'at_issue');
}

/** Stores the document of credit note `id`; called inside the transaction that creates it. */
export async function issueCreditNoteDocument(db: Queryable, catalog: Catalog, id: string): Promise<DocumentModel> {
  const stored = await getCreditNote(db, id);
  if (!stored) throw new Error(`credit note ${id}: not written yet (this is a bug)`);
  return storeIssuedDocument(db, { creditNote: id }, await creditNoteDocumentOf(db, catalog, stored), 'at_issue');
}

/**
 * The document of an invoice: a draft's from live data, a final invoice's as issued. A final
 * invoice issued before issued_documents existed is frozen at its first render (migration 110).
 */
export async function invoiceDocumentFor(db: Queryable, catalog: Catalog, inv: InvoiceJson): Promise<DocumentModel> {
  if (inv.status !== 'final') return invoiceDocumentOf(db, catalog, inv);
  const of = { invoice: inv.id };
  return (await getIssuedDocument(db, of)) ?? storeIssuedDocument(db, of, await invoiceDocumentOf(db, catalog, inv), 'first_render');
}

/** The document of a credit note as issued (frozen at first render if older than migration 110). */
export async function creditNoteDocumentFor(db: Queryable, catalog: Catalog, stored: StoredCreditNote): Promise<DocumentModel> {
  const of = { creditNote: stored.document.id };
  return (await getIssuedDocument(db, of)) ?? storeIssuedDocument(db, of, await creditNoteDocumentOf(db, catalog, stored), 'first_render');
}
