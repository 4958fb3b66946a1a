// The edge of the documents: gathers what a document prints besides the JSON — the issuer and
// tax names from the catalogue, the customer's billing details, tax setting and contract from
// the database (the API manages customers after seeding) — and builds the document model.
import type { Catalog, Customer } from '../../catalog/types.js';
import { effectivePlan } from '../../rating/contract.js';
import { customerFromRow } from '../customers.js';
import type { StoredCreditNote } from '../db/credit-notes.js';
import { getCustomer } from '../db/customers.js';
import { listInvoices } from '../db/invoices.js';
import type { Queryable } from '../db/tx.js';
import { invoiceDocument, type InvoiceSource } from './build.js';
import { creditNoteDocument } from './credit-note.js';
import type { DocumentModel } from './model.js';
import type { DocumentContext } from './rows.js';

/** The customer as stored; a row the catalogue no longer accepts still gets its document. */
async function storedCustomer(db: Queryable, catalog: Catalog, id: string): Promise<Customer | undefined> {
  const row = await getCustomer(db, id);
  if (!row) return catalog.customers[id];
  try {
    return customerFromRow(catalog, row);
  } catch {
    return catalog.customers[id];
  }
}

export function documentContext(catalog: Catalog, customer: Customer | undefined): DocumentContext {
  return {
    timezone: catalog.timezone,
    ...(catalog.issuer ? { issuer: catalog.issuer } : {}),
    ...(customer?.billing ? { billing: customer.billing } : {}),
    ...(customer?.tax ? { customerTax: customer.tax } : {}),
    taxNames: Object.fromEntries(Object.values(catalog.taxes).map((t) => [t.code, t.name])),
    meterUnits: Object.fromEntries(Object.values(catalog.meters).map((m) => [m.name, m.unit])),
    plans: Object.fromEntries(Object.entries(catalog.plans).map(([name, plan]) => [name, effectivePlan(plan, customer)])),
  };
}

export async function loadDocumentContext(db: Queryable, catalog: Catalog, customerId: string): Promise<DocumentContext> {
  return documentContext(catalog, await storedCustomer(db, catalog, customerId));
}

export async function invoiceDocumentOf(db: Queryable, catalog: Catalog, inv: InvoiceSource): Promise<DocumentModel> {
  return invoiceDocument(inv, await loadDocumentContext(db, catalog, inv.customer));
}

/** A credit note's document: its lines described by the credited invoice's, issued when created. */
export async function creditNoteDocumentOf(db: Queryable, catalog: Catalog, stored: StoredCreditNote): Promise<DocumentModel> {
  const [credited] = await listInvoices(db, { id: stored.invoiceId });
  const source = { ...stored.document, created_at: stored.createdAt.toISOString() };
  return creditNoteDocument(source, credited, await loadDocumentContext(db, catalog, stored.document.customer));
}
