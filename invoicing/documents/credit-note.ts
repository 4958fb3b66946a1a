// Credit-note JSON (SPEC §12.4) + the credited invoice + catalogue context → document model
// (pure). Each credit line is described by the invoice line it credits (same words, same
// server group) and prints the credit note's own amount; tax lines become the tax summary.
import type { DocumentModel } from './model.js';
import { customerParty, dateIn, groupByServer, periodDates, taxesOf, totalsOf, type InvoiceSource } from './build.js';
import { field, rowOf, text, type DocumentContext, type SourceLine } from './rows.js';

export interface CreditNoteSource {
  number?: string | null;
  /** The credited invoice's number. */
  invoice?: string | null;
  customer: string;
  currency: string;
  reason?: string | null;
  lines: readonly SourceLine[];
  total_excluding_tax?: string;
  tax_total?: string;
  total: string;
  /** When it was issued (credit notes are final at once); the first one present is used. */
  issued_at?: string | null;
  created_at?: string | null;
}

function creditRow(l: SourceLine, credited: InvoiceSource | undefined, ctx: DocumentContext, currency: string) {
  const raw = field(l, 'n');
  const n = typeof raw === 'number' ? raw : Number(text(l, 'n'));
  const original = Number.isInteger(n) && n >= 1 ? credited?.lines[n - 1] : undefined;
  if (!original) return { serverId: undefined, row: { description: Number.isInteger(n) ? `Credit of invoice line ${n}` : 'Credit', amount: l.amount } };
  const described = rowOf(original, currency, ctx);
  return {
    serverId: text(original, 'server_id'),
    row: { description: described.description, detail: [`invoice line ${n}`, described.detail].filter(Boolean).join(' · '), amount: l.amount },
  };
}

export function creditNoteDocument(cn: CreditNoteSource, credited: InvoiceSource | undefined, ctx: DocumentContext): DocumentModel {
  const items = cn.lines.filter((l) => l.type !== 'tax').map((l) => creditRow(l, credited, ctx, cn.currency));
  const { groups, rest } = groupByServer(items);
  const { taxes, notes } = taxesOf(cn.lines, ctx);
  const issued = cn.issued_at ?? cn.created_at ?? undefined;
  const facts = [{ label: 'Customer', value: cn.customer }];
  if (cn.invoice) facts.push({ label: 'Credits invoice', value: cn.invoice });
  if (cn.reason) facts.push({ label: 'Reason', value: cn.reason });
  return {
    kind: 'credit_note',
    title: 'Credit note',
    draft: false,
    ...(cn.number ? { number: cn.number } : {}),
    ...(issued ? { issueDate: dateIn(issued, ctx.timezone), issuedAt: issued } : {}),
    ...(credited ? { period: periodDates(credited.period, ctx.timezone) } : {}),
    facts,
    currency: cn.currency,
    ...(ctx.issuer ? { issuer: ctx.issuer } : {}),
    customer: customerParty(cn.customer, ctx),
    groups,
    contractRows: rest,
    taxes,
    totals: totalsOf(cn, 'Total credited'),
    notes,
  };
}
