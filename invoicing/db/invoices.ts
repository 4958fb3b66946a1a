// invoices and invoice_lines. A draft is replaced wholesale by each recompute (lines deleted
// and re-inserted, in one transaction with the caller's customer lock); a final invoice is
// never written again, and the database refuses it anyway (migration 021 triggers).
import { createHash } from 'node:crypto';
import type { InvoiceJson, InvoiceStatus, LineJson, RatedInvoice } from '../types.js';
import type { Queryable } from './tx.js';
import { formatInstant as isoOf } from '../../rating/period.js';

/** Stable id of a customer's invoice for a period, so a rebuilt draft keeps its id. */
export const invoiceId = (customer: string, period: string): string =>
  `inv-${period}-${createHash('sha256').update(`${customer}\u0000${period}`).digest('hex').slice(0, 16)}`;

export interface InvoiceHead {
  id: string;
  customer: string;
  period: string;
  periodStartMs: number;
  periodEndMs: number;
  status: InvoiceStatus;
  fingerprint: string;
  /** Set by finalization (SPEC §12.3); null on drafts and on invoices finalized before numbering. */
  number: string | null;
}

interface HeadRow {
  id: string;
  customer: string;
  period: string;
  period_start: Date;
  period_end: Date;
  status: InvoiceStatus;
  fingerprint: string;
  number: string | null;
}
const HEAD = 'id, customer, period, period_start, period_end, status, fingerprint, number';
const toHead = (r: HeadRow): InvoiceHead => ({
  id: r.id,
  customer: r.customer,
  period: r.period,
  periodStartMs: r.period_start.getTime(),
  periodEndMs: r.period_end.getTime(),
  status: r.status,
  fingerprint: r.fingerprint,
  number: r.number,
});

export async function invoiceHead(db: Queryable, customer: string, period: string): Promise<InvoiceHead | undefined> {
  const r = await db.query<HeadRow>({
    name: 'invoices.head',
    text: `SELECT ${HEAD} FROM invoices WHERE customer = $1 AND period = $2`,
    values: [customer, period],
  });
  return r.rows[0] ? toHead(r.rows[0]) : undefined;
}

/** The customer an invoice belongs to (undefined: no such invoice). */
export async function invoiceCustomer(db: Queryable, id: string): Promise<string | undefined> {
  const r = await db.query<{ customer: string }>({ name: 'invoices.customer_of', text: 'SELECT customer FROM invoices WHERE id = $1', values: [id] });
  return r.rows[0]?.customer;
}

/** A customer's invoices, oldest period first. */
export async function customerInvoiceHeads(db: Queryable, customer: string): Promise<InvoiceHead[]> {
  const r = await db.query<HeadRow>({
    name: 'invoices.heads_of_customer',
    text: `SELECT ${HEAD} FROM invoices WHERE customer = $1 ORDER BY period`,
    values: [customer],
  });
  return r.rows.map(toHead);
}

/** Drafts of a period (all customers, or one). */
export async function draftHeads(db: Queryable, period: string, customer?: string): Promise<InvoiceHead[]> {
  const r = await db.query<HeadRow>({
    name: 'invoices.drafts_of_period',
    text: `SELECT ${HEAD} FROM invoices WHERE period = $1 AND status = 'draft' AND ($2::text IS NULL OR customer = $2) ORDER BY customer`,
    values: [period, customer ?? null],
  });
  return r.rows.map(toHead);
}

/** What a recompute would write, as one hash: equal → nothing to write. */
export function fingerprintOf(inv: RatedInvoice): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([inv.currency, inv.subtotal, inv.total, inv.catalogHash, inv.periodStartMs, inv.periodEndMs, inv.totalExcludingTax, inv.taxTotal]));
  for (const l of inv.lines) {
    h.update(JSON.stringify([l.json, l.subscriptionId ?? null, l.lineage ? [l.lineage.fromMs, l.lineage.toMs] : null]));
  }
  return h.digest('hex');
}

/**
 * Writes `inv` as the draft of its (customer, period), replacing the previous draft. Returns
 * false when the stored draft is already exactly this (recompute, don't rewrite). Throws if the
 * invoice is final (the caller checks first; the trigger is the backstop).
 */
export async function writeDraft(db: Queryable, inv: RatedInvoice, existing: InvoiceHead | undefined): Promise<boolean> {
  const fingerprint = fingerprintOf(inv);
  if (existing?.status === 'draft' && existing.fingerprint === fingerprint) return false;
  const id = invoiceId(inv.customer, inv.period);
  await db.query({
    name: 'invoices.upsert_draft',
    text: `INSERT INTO invoices (id, customer, period, period_start, period_end, status, currency, subtotal, total, catalog_hash, fingerprint, computed_at,
                                 total_excluding_tax, tax_total)
           VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, now(), $11, $12)
           ON CONFLICT (id) DO UPDATE SET currency = EXCLUDED.currency, subtotal = EXCLUDED.subtotal, total = EXCLUDED.total,
             catalog_hash = EXCLUDED.catalog_hash, fingerprint = EXCLUDED.fingerprint, computed_at = now(),
             total_excluding_tax = EXCLUDED.total_excluding_tax, tax_total = EXCLUDED.tax_total`,
    values: [
      id, inv.customer, inv.period, new Date(inv.periodStartMs), new Date(inv.periodEndMs), inv.currency, inv.subtotal, inv.total, inv.catalogHash, fingerprint,
      inv.totalExcludingTax, inv.taxTotal,
    ],
  });
  await db.query({ name: 'invoice_lines.delete', text: 'DELETE FROM invoice_lines WHERE invoice_id = $1', values: [id] });
  if (inv.lines.length > 0) {
    const ls = inv.lines;
    await db.query({
      name: 'invoice_lines.insert',
      text: `INSERT INTO invoice_lines (invoice_id, n, type, subscription_id, server_id, plan, meter, period_of_usage, usage_from, usage_to, amount, data, detail)
             SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                      $9::timestamptz[], $10::timestamptz[], $11::numeric[], $12::json[], $13::jsonb[])`,
      values: [
        id,
        ls.map((_, i) => i + 1),
        ls.map((l) => l.json.type),
        ls.map((l) => l.subscriptionId ?? null),
        ls.map((l) => l.json.server_id ?? null),
        ls.map((l) => l.json.plan ?? null),
        ls.map((l) => l.json.meter ?? null),
        ls.map((l) => l.json.period_of_usage ?? null),
        ls.map((l) => (l.lineage ? new Date(l.lineage.fromMs) : null)),
        ls.map((l) => (l.lineage ? new Date(l.lineage.toMs) : null)),
        ls.map((l) => l.json.amount),
        ls.map((l) => JSON.stringify(l.json)),
        ls.map((l) => JSON.stringify(l.detail)),
      ],
    });
  }
  return true;
}

/** Removes a draft that no longer has anything to bill (e.g. its subscription was moved). */
export async function deleteDraft(db: Queryable, id: string): Promise<void> {
  await db.query({ name: 'invoices.delete_draft', text: "DELETE FROM invoices WHERE id = $1 AND status = 'draft'", values: [id] });
}

/** Makes a draft final with its number, in one UPDATE (the one change the trigger allows). */
export async function markFinal(db: Queryable, id: string, number: string): Promise<void> {
  const r = await db.query({
    name: 'invoices.finalize',
    text: "UPDATE invoices SET status = 'final', finalized_at = now(), number = $2 WHERE id = $1 AND status = 'draft'",
    values: [id, number],
  });
  if (r.rowCount !== 1) throw new Error(`invoice ${id}: no draft to finalize (the caller holds the customer's lock; this is a bug)`);
}

/** Billed amounts of usage and adjustment lines on a customer's final invoices (for adjustments). */
export interface BilledLine {
  subscriptionId: string;
  meter: string;
  /** The period the usage belongs to (the invoice's own for usage lines). */
  periodOfUsage: string;
  amount: string;
}

export async function finalUsageLines(db: Queryable, customer: string): Promise<BilledLine[]> {
  const r = await db.query<{ subscription_id: string; meter: string; period_of_usage: string; amount: string }>({
    name: 'invoice_lines.final_usage',
    text: `SELECT l.subscription_id, l.meter, COALESCE(l.period_of_usage, i.period) AS period_of_usage, l.amount::text AS amount
             FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.customer = $1 AND i.status = 'final' AND l.type IN ('usage', 'adjustment') AND l.subscription_id IS NOT NULL`,
    values: [customer],
  });
  return r.rows.map((x) => ({ subscriptionId: x.subscription_id, meter: x.meter, periodOfUsage: x.period_of_usage, amount: x.amount }));
}

/** A line's lineage: the series and range of the usage it rates (explain selects parts by it). */
export interface LineSelector {
  n: number;
  type: LineJson['type'];
  serverId: string | null;
  meter: string | null;
  periodOfUsage: string | null;
  fromMs: number | null;
  toMs: number | null;
}

interface LineRow {
  invoice_id: string;
  n: number;
  type: LineJson['type'];
  server_id: string | null;
  meter: string | null;
  period_of_usage: string | null;
  usage_from: Date | null;
  usage_to: Date | null;
  data: LineJson;
  detail: Record<string, unknown>;
}

interface InvoiceRow extends HeadRow {
  currency: string;
  subtotal: string;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
  catalog_hash: string;
  computed_at: Date;
  finalized_at: Date | null;
}

/**
 * Invoices in SPEC §9 form with their lines, sorted by customer then period. One statement, so
 * one snapshot: a draft the rate role rewrites meanwhile is seen wholly before or wholly after
 * (two statements on a pool, or in READ COMMITTED, could pair the old total with the new lines).
 */
export async function listInvoices(db: Queryable, filter: { id?: string; customer?: string; period?: string }): Promise<InvoiceJson[]> {
  const heads = await db.query<InvoiceRow & { lines: LineJson[] }>({
    name: 'invoices.list',
    // Invoices rated before tax existed (migration 051) have NULL totals: they had no tax, so
    // total_excluding_tax = total and tax_total = 0 at total's scale (total - total keeps it).
    // json_agg of the json column keeps each line's text (field order, decimal strings) as written.
    text: `SELECT ${HEAD}, currency, subtotal::text AS subtotal, total::text AS total, catalog_hash, computed_at, finalized_at,
                  COALESCE(total_excluding_tax, total)::text AS total_excluding_tax, COALESCE(tax_total, total - total)::text AS tax_total,
                  COALESCE((SELECT json_agg(l.data ORDER BY l.n) FROM invoice_lines l WHERE l.invoice_id = invoices.id), '[]'::json) AS lines
             FROM invoices
            WHERE ($1::text IS NULL OR id = $1) AND ($2::text IS NULL OR customer = $2) AND ($3::text IS NULL OR period = $3)
            ORDER BY customer, period`,
    values: [filter.id ?? null, filter.customer ?? null, filter.period ?? null],
  });
  return heads.rows.map((h) => ({
    id: h.id,
    ...(h.status === 'final' ? { number: h.number } : {}),
    customer: h.customer,
    currency: h.currency,
    status: h.status,
    period: { start: isoOf(h.period_start.getTime()), end: isoOf(h.period_end.getTime()) },
    lines: h.lines,
    // numeric::text keeps the scale it was written with: the rated strings come back unchanged.
    subtotal: h.subtotal,
    total_excluding_tax: h.total_excluding_tax,
    tax_total: h.tax_total,
    total: h.total,
    catalog_hash: h.catalog_hash,
    computed_at: h.computed_at.toISOString(),
    finalized_at: h.finalized_at ? h.finalized_at.toISOString() : null,
  }));
}

export async function getLine(
  db: Queryable,
  invoice: string,
  n: number,
): Promise<(LineSelector & { json: LineJson; detail: Record<string, unknown> }) | undefined> {
  const r = await db.query<LineRow>({
    name: 'invoice_lines.get',
    text: 'SELECT invoice_id, n, type, server_id, meter, period_of_usage, usage_from, usage_to, data, detail FROM invoice_lines WHERE invoice_id = $1 AND n = $2',
    values: [invoice, n],
  });
  const x = r.rows[0];
  if (!x) return undefined;
  return {
    n: x.n,
    type: x.type,
    serverId: x.server_id,
    meter: x.meter,
    periodOfUsage: x.period_of_usage,
    fromMs: x.usage_from?.getTime() ?? null,
    toMs: x.usage_to?.getTime() ?? null,
    json: x.data,
    detail: x.detail,
  };
}
