// Pure revenue reporting over invoices (the console's /revenue page): totals by month, by
// customer and by plan, per currency — exact decimal sums of the API's amounts, never floats.
// Revenue is net: tax is collected for the tax office, not earned (total_excluding_tax), and a
// credit note takes its amount back from the credited invoice's month and customer, and from the
// plan of each credited line. By plan, only lines that name a plan count (base fees, usage, SLA
// credits); invoice-level lines (discount, minimum commit) belong to no plan, so the plan table
// sums to less than the totals.
import { dec, ZERO, type Decimal } from '../lib/decimal.js';
import { periodLabel, type Invoice } from './invoice-types.js';

export interface RevenueRow {
  key: string;
  currency: string;
  amount: string;
  invoices: number;
}

/** Fraction digits as written ("500.00" → 2): sums keep the currency's minor digits. */
const scaleOf = (s: string): number => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

interface Entry { key: string; currency: string; amount: string; invoice: string }

function table(entries: Iterable<Entry>): RevenueRow[] {
  const acc = new Map<string, { key: string; currency: string; amount: Decimal; scale: number; invoices: Set<string> }>();
  for (const e of entries) {
    const id = `${e.key}\u0000${e.currency}`;
    const row = acc.get(id) ?? { key: e.key, currency: e.currency, amount: ZERO, scale: 0, invoices: new Set<string>() };
    row.amount = row.amount.plus(dec(e.amount));
    row.scale = Math.max(row.scale, scaleOf(e.amount));
    row.invoices.add(e.invoice);
    acc.set(id, row);
  }
  return [...acc.values()]
    .sort((a, b) => a.key.localeCompare(b.key) || a.currency.localeCompare(b.currency))
    .map((r) => ({ key: r.key, currency: r.currency, amount: r.amount.toFixed(r.scale), invoices: r.invoices.size }));
}

/** A credit note as the revenue needs it: the credited invoice's id, its amounts (SPEC §12.4). */
export interface CreditNoteAmounts {
  invoice_id: string;
  total_excluding_tax: string;
  lines: { type: string; n?: number; amount: string }[];
}

/** Each invoice's total excluding tax (`total` when the invoice predates tax), less its credit notes. */
export function revenue(invoices: readonly Invoice[], creditNotes: readonly CreditNoteAmounts[] = []): { byMonth: RevenueRow[]; byCustomer: RevenueRow[]; byPlan: RevenueRow[] } {
  const byId = new Map(invoices.map((i) => [i.id, i]));
  const credited = creditNotes.flatMap((cn) => {
    const i = byId.get(cn.invoice_id);
    return i ? [{ i, cn }] : []; // a note of an invoice outside the list is outside the report
  });
  const amounts = [
    ...invoices.map((i) => ({ i, amount: i.total_excluding_tax ?? i.total })),
    ...credited.map(({ i, cn }) => ({ i, amount: cn.total_excluding_tax })),
  ];
  const planLines = [
    ...invoices.flatMap((i) => i.lines.filter((l) => l.plan).map((l) => ({ i, plan: l.plan!, amount: l.amount }))),
    ...credited.flatMap(({ i, cn }) =>
      cn.lines.flatMap((l) => {
        const plan = l.type === 'credit' && l.n !== undefined ? i.lines[l.n - 1]?.plan : undefined;
        return plan ? [{ i, plan, amount: l.amount }] : [];
      }),
    ),
  ];
  return {
    byMonth: table(amounts.map(({ i, amount }) => ({ key: periodLabel(i), currency: i.currency, amount, invoice: i.id }))),
    byCustomer: table(amounts.map(({ i, amount }) => ({ key: i.customer, currency: i.currency, amount, invoice: i.id }))),
    byPlan: table(planLines.map(({ i, plan, amount }) => ({ key: plan, currency: i.currency, amount, invoice: i.id }))),
  };
}
