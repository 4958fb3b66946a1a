// credit_notes and credit_note_lines (migration 056): written once, never changed (triggers).
// A credit note is stored as the document it is served as, beside one row per credited invoice
// line so what remains of a line is one SUM under the invoice's row lock.
import { dec, type Decimal } from '../../lib/decimal.js';
import type { CreditedLine, CreditNoteJson } from '../credit-note.js';
import type { InvoiceStatus } from '../types.js';
import type { Queryable } from './tx.js';

export interface LockedInvoice {
  id: string;
  number: string | null;
  customer: string;
  currency: string;
  status: InvoiceStatus;
  /** The billing period, "2026-10": its year is the credit note's {YYYY}. */
  period: string;
}

/**
 * Locks the invoice row until the transaction ends, so credit notes of one invoice are written
 * one at a time and each sees what the previous ones credited. (A row lock fires no trigger.)
 */
export async function lockInvoice(db: Queryable, id: string): Promise<LockedInvoice | undefined> {
  const r = await db.query<LockedInvoice>({
    name: 'credit_notes.lock_invoice',
    text: 'SELECT id, number, customer, currency, status, period FROM invoices WHERE id = $1 FOR UPDATE',
    values: [id],
  });
  return r.rows[0];
}

/** Per invoice line n, the sum credited by earlier credit notes (in the line's sign). */
export async function creditedSoFar(db: Queryable, invoiceId: string): Promise<Map<number, Decimal>> {
  const r = await db.query<{ n: number; credited: string }>({
    name: 'credit_note_lines.credited_of_invoice',
    text: 'SELECT n, sum(credited)::text AS credited FROM credit_note_lines WHERE invoice_id = $1 GROUP BY n',
    values: [invoiceId],
  });
  return new Map(r.rows.map((x) => [x.n, dec(x.credited)]));
}

export async function insertCreditNote(db: Queryable, invoiceId: string, doc: CreditNoteJson, lines: readonly CreditedLine[]): Promise<void> {
  await db.query({
    name: 'credit_notes.insert',
    text: `INSERT INTO credit_notes (id, number, invoice_id, customer, currency, reason, total_excluding_tax, tax_total, total, document)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    values: [doc.id, doc.number, invoiceId, doc.customer, doc.currency, doc.reason, doc.total_excluding_tax, doc.tax_total, doc.total, JSON.stringify(doc)],
  });
  await db.query({
    name: 'credit_note_lines.insert',
    text: 'INSERT INTO credit_note_lines (credit_note_id, invoice_id, n, credited) SELECT $1, $2, * FROM unnest($3::int[], $4::numeric[])',
    values: [doc.id, invoiceId, lines.map((l) => l.n), lines.map((l) => l.credited.toFixed())],
  });
}

export interface StoredCreditNote {
  document: CreditNoteJson;
  invoiceId: string;
  createdAt: Date;
}

interface Row {
  document: CreditNoteJson;
  invoice_id: string;
  created_at: Date;
}
const toStored = (r: Row): StoredCreditNote => ({ document: r.document, invoiceId: r.invoice_id, createdAt: r.created_at });

export async function getCreditNote(db: Queryable, id: string): Promise<StoredCreditNote | undefined> {
  const r = await db.query<Row>({
    name: 'credit_notes.get',
    text: 'SELECT document, invoice_id, created_at FROM credit_notes WHERE id = $1',
    values: [id],
  });
  return r.rows[0] ? toStored(r.rows[0]) : undefined;
}

/** The credit notes of an invoice, oldest first (number order within one prefix). */
export async function creditNotesOfInvoice(db: Queryable, invoiceId: string): Promise<StoredCreditNote[]> {
  const r = await db.query<Row>({
    name: 'credit_notes.of_invoice',
    text: 'SELECT document, invoice_id, created_at FROM credit_notes WHERE invoice_id = $1 ORDER BY created_at, number',
    values: [invoiceId],
  });
  return r.rows.map(toStored);
}
