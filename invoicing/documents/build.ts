// Invoice JSON (SPEC §9, §12.2) + catalogue context → document model (pure). Lines with a
// server are grouped by server in the JSON's order; lines of no server (discount, minimum
// commit) follow the subtotal; tax lines become the tax summary. Totals are the JSON's strings.
import { DateTime } from 'luxon';
import type { DocGroup, DocRow, DocumentModel, Party, TaxRow, TotalRow } from './model.js';
import { REVERSE_CHARGE_NOTE } from './model.js';
import { REVERSE_CHARGE, rowOf, taxRowOf, text, type DocumentContext, type SourceLine } from './rows.js';

/** An invoice as served by the API (InvoiceJson), with the fields §12 adds when present. */
export interface InvoiceSource {
  customer: string;
  currency: string;
  status: string;
  number?: string | null;
  period: { start: string; end: string };
  lines: readonly SourceLine[];
  subtotal?: string;
  total_excluding_tax?: string;
  tax_total?: string;
  total: string;
  finalized_at?: string | null;
}

/** An instant as a date in `zone`: "2026-11-02". */
export const dateIn = (iso: string, zone: string): string => DateTime.fromISO(iso, { zone }).toISODate() ?? iso;

/** [start, end) as inclusive dates: 2026-10-01 … 2026-10-31 for October. */
export function periodDates(period: { start: string; end: string }, zone: string): { from: string; to: string } {
  const last = DateTime.fromISO(period.end, { zone }).minus({ milliseconds: 1 }).toISODate();
  return { from: dateIn(period.start, zone), to: last ?? period.end };
}

export const customerParty = (customer: string, ctx: DocumentContext): Party => ctx.billing ?? { name: customer, address: [] };

/** Rows in groups by server (first-named first); rows of no server apart. */
export function groupByServer(items: ReadonlyArray<{ serverId: string | undefined; row: DocRow }>): { groups: DocGroup[]; rest: DocRow[] } {
  const groups = new Map<string, DocGroup>();
  const rest: DocRow[] = [];
  for (const { serverId, row } of items) {
    if (serverId === undefined) {
      rest.push(row);
      continue;
    }
    let g = groups.get(serverId);
    if (!g) groups.set(serverId, (g = { title: `Server ${serverId}`, rows: [] }));
    g.rows.push(row);
  }
  return { groups: [...groups.values()], rest };
}

/** Tax summary rows, and whether the reverse-charge note applies. */
export function taxesOf(lines: readonly SourceLine[], ctx: DocumentContext): { taxes: TaxRow[]; notes: string[] } {
  const taxLines = lines.filter((l) => l.type === 'tax');
  const reverse = taxLines.some((l) => text(l, 'code') === REVERSE_CHARGE) || ctx.customerTax === REVERSE_CHARGE;
  return { taxes: taxLines.map((l) => taxRowOf(l, ctx)), notes: reverse ? [REVERSE_CHARGE_NOTE] : [] };
}

/** Total excluding tax, tax and total when the JSON has them (§12.2), else the total alone. */
export function totalsOf(src: { currency: string; total_excluding_tax?: string; tax_total?: string; total: string }, due: string): TotalRow[] {
  const rows: TotalRow[] = [];
  if (src.total_excluding_tax !== undefined) rows.push({ label: 'Total excluding tax', amount: src.total_excluding_tax });
  if (src.tax_total !== undefined) rows.push({ label: 'Tax', amount: src.tax_total });
  rows.push({ label: `${due} (${src.currency})`, amount: src.total, grand: true });
  return rows;
}

export function invoiceDocument(inv: InvoiceSource, ctx: DocumentContext): DocumentModel {
  const draft = inv.status !== 'final';
  const items = inv.lines.filter((l) => l.type !== 'tax').map((l) => ({ serverId: text(l, 'server_id'), row: rowOf(l, inv.currency, ctx) }));
  const { groups, rest } = groupByServer(items);
  const { taxes, notes } = taxesOf(inv.lines, ctx);
  return {
    kind: 'invoice',
    title: 'Invoice',
    draft,
    ...(inv.number ? { number: inv.number } : {}),
    ...(!draft && inv.finalized_at ? { issueDate: dateIn(inv.finalized_at, ctx.timezone), issuedAt: inv.finalized_at } : {}),
    period: periodDates(inv.period, ctx.timezone),
    facts: [{ label: 'Customer', value: inv.customer }],
    currency: inv.currency,
    ...(ctx.issuer ? { issuer: ctx.issuer } : {}),
    customer: customerParty(inv.customer, ctx),
    groups,
    ...(inv.subtotal !== undefined ? { subtotal: inv.subtotal } : {}),
    contractRows: rest,
    taxes,
    totals: totalsOf(inv, 'Total'),
    notes,
  };
}
