// Contracts of the invoicing domain: the stored invoice and its lines, the lineage a usage line
// keeps, and the database operations the rate role, finalization and the API share.

/** One invoice line as SPEC §9 prints it: decimal strings, plus optional extra fields. */
export interface LineJson {
  type: 'base_fee' | 'usage' | 'sla_credit' | 'adjustment' | 'discount' | 'minimum_commit' | 'tax';
  amount: string;
  server_id?: string;
  plan?: string;
  meter?: string;
  period_of_usage?: string;
  [field: string]: unknown;
}

/** Where a usage or adjustment line's usage comes from: explain selects rollup parts by it. */
export interface LineLineage {
  subscriptionId: string;
  serverId: string;
  meter: string;
  /** The subscription's part of the period of usage, [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

export interface RatedLine {
  /** SPEC §9 form, exactly as `bill` prints it. */
  json: LineJson;
  /** Rating detail (subscription, model, tiers, exact amount) for explain. */
  detail: Record<string, unknown>;
  subscriptionId?: string;
  lineage?: LineLineage;
}

/** A freshly rated invoice, ready to be written as a draft. */
export interface RatedInvoice {
  customer: string;
  period: string;
  periodStartMs: number;
  periodEndMs: number;
  currency: string;
  lines: RatedLine[];
  subtotal: string;
  /** SPEC §12.2: total before tax, the tax lines' sum, and their sum (= the sum of all lines). */
  totalExcludingTax: string;
  taxTotal: string;
  total: string;
  catalogHash: string;
  /**
   * The period's usage per meter over all the customer's subscriptions (exact decimal strings),
   * priced or not: what meter usage alerts compare (SPEC §13). Absent = read the usage lines.
   */
  meterQuantities?: Readonly<Record<string, string>>;
  /** Every rollup part this invoice accounts for (its usage, and late usage it adjusts for):
   *  finalization marks them billed by it, so later parts of the same range are late. */
  partIds: string[];
}

export type InvoiceStatus = 'draft' | 'final';

/** An invoice as stored and served (SPEC §9 form, with its id and status). */
export interface InvoiceJson {
  id: string;
  /**
   * SPEC §12.3: absent on drafts (a draft has no number; its JSON is exactly `bill`'s); set on
   * final invoices — null only on those finalized before numbering existed.
   */
  number?: string | null;
  customer: string;
  currency: string;
  status: InvoiceStatus;
  period: { start: string; end: string };
  lines: LineJson[];
  subtotal: string;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
  catalog_hash: string;
  computed_at: string;
  finalized_at: string | null;
}
