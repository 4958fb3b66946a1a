// Pure revenue reporting over invoices (the console's /revenue page): totals by month, by
// customer and by plan, per currency — exact decimal sums of the API's amounts, never floats.
// By plan, only lines that name a plan count (base fees, usage, SLA credits); invoice-level lines
// (discount, minimum commit, tax) belong to no plan, so the plan table sums to less than totals.
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

/** `total` of each invoice (tax included when the API gives it): what the customer is billed. */
export function revenue(invoices: readonly Invoice[]): { byMonth: RevenueRow[]; byCustomer: RevenueRow[]; byPlan: RevenueRow[] } {
  const totals = invoices.map((i) => ({ currency: i.currency, amount: i.total, invoice: i.id }));
  return {
    byMonth: table(invoices.map((i, n) => ({ key: periodLabel(i), ...totals[n]! }))),
    byCustomer: table(invoices.map((i, n) => ({ key: i.customer, ...totals[n]! }))),
    byPlan: table(invoices.flatMap((i) => i.lines.filter((l) => l.plan).map((l) => ({ key: l.plan!, currency: i.currency, amount: l.amount, invoice: i.id })))),
  };
}
