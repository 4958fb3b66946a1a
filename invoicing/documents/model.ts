// The document model of an invoice or credit note (SPEC §12.5): everything the printed page
// shows, already as text. One model feeds both templates (html.ts, pdf.ts), so the HTML and
// the PDF cannot disagree. Every amount and quantity here is the invoice JSON's own string,
// carried over untouched: a document never re-formats money through a number.

/** A name-and-address block: the issuer, or the customer's billing details. */
export interface Party {
  name: string;
  address: readonly string[];
  /** ISO 3166-1 alpha-2. */
  country?: string;
  vatId?: string;
  email?: string;
}

/** One printed line. Absent fields print as empty cells. */
export interface DocRow {
  description: string;
  /** A second, smaller line under the description (plan, period of usage, pricing note). */
  detail?: string;
  quantity?: string;
  unit?: string;
  unitPrice?: string;
  amount: string;
}

/** The lines of one server (or, for lines without a server, of the contract). */
export interface DocGroup {
  title: string;
  rows: DocRow[];
}

/** One row of the tax summary: a tax line of the JSON. */
export interface TaxRow {
  label: string;
  rate: string;
  base: string;
  amount: string;
}

export interface TotalRow {
  label: string;
  amount: string;
  /** The amount due (printed bold). */
  grand?: boolean;
}

export interface DocumentModel {
  kind: 'invoice' | 'credit_note';
  /** "Invoice", "Credit note". */
  title: string;
  draft: boolean;
  /** Absent on drafts (SPEC §12.3: a draft has no number). */
  number?: string;
  /** YYYY-MM-DD in the catalogue's time zone; absent on drafts. */
  issueDate?: string;
  /** The instant of issue (ISO 8601): the PDF's creation date, so a final document's bytes never change. */
  issuedAt?: string;
  /** Inclusive dates in the catalogue's time zone. */
  period?: { from: string; to: string };
  /** Further header facts, in order: customer id, credited invoice, reason. */
  facts: Array<{ label: string; value: string }>;
  currency: string;
  issuer?: Party;
  customer: Party;
  /** Lines of servers, in the order the JSON first names each server. */
  groups: DocGroup[];
  /** Shown after the server groups: the JSON's subtotal, when it has one. */
  subtotal?: string;
  /** Lines of no server (discount, minimum commit), after the subtotal. */
  contractRows: DocRow[];
  taxes: TaxRow[];
  totals: TotalRow[];
  /** Printed at the foot (the reverse-charge note). */
  notes: string[];
}

export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).';
