// The invoice JSON of SPEC §9 (`meterline bill --format json`, `GET /v1/invoices/:id`).
// Field names and order follow the spec's example; extra fields (tier breakdown,
// availability) come after the spec's own, so a reader that knows §9 finds it unchanged.
import type { Invoice, InvoiceLine } from './invoice-types.js';
import { formatAmount, formatPrice, formatQuantity } from './format.js';
import { formatInstant } from './period.js';
import { formatPlain } from '../lib/decimal.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function lineToJson(l: InvoiceLine, digits: number): { [key: string]: Json } {
  const amount = formatAmount(l.amount, digits);
  switch (l.type) {
    case 'base_fee':
      return { type: l.type, server_id: l.serverId, plan: l.plan, quantity: formatQuantity(l.quantity), unit: l.unit, unit_price: formatPrice(l.unitPrice, digits), amount };
    case 'usage':
      return { type: l.type, server_id: l.serverId, plan: l.plan, meter: l.meter, quantity: formatQuantity(l.quantity), unit: l.unit, amount };
    case 'sla_credit':
      return { type: l.type, server_id: l.serverId, plan: l.plan, amount };
    case 'adjustment':
      return { type: l.type, server_id: l.serverId, meter: l.meter, period_of_usage: l.periodOfUsage, amount };
    case 'discount':
    case 'minimum_commit':
      return { type: l.type, amount };
    case 'tax':
      return { type: l.type, code: l.code, rate: formatPlain(l.rate), base: formatAmount(l.base, digits), amount };
  }
}

/** Optional detail of a line for `--format json --detail` style output and the explain API. */
export function lineDetail(l: InvoiceLine): { [key: string]: Json } {
  switch (l.type) {
    case 'usage':
      return {
        subscription: l.subscriptionId, model: l.model, billable: formatQuantity(l.billable), exact_amount: formatPlain(l.exactAmount),
        ...(l.tiers ? { tiers: l.tiers.map((t) => ({ tier: t.tier, quantity: formatQuantity(t.quantity), unit_price: formatPlain(t.unitPrice), flat_fee: formatPlain(t.flatFee), amount: formatPlain(t.amount) })) } : {}),
      };
    case 'base_fee':
      return { subscription: l.subscriptionId, exact_amount: formatPlain(l.exactAmount) };
    case 'sla_credit':
      return { subscription: l.subscriptionId, availability_pct: formatQuantity(l.availability), credit_pct: formatPlain(l.creditPct), exact_amount: formatPlain(l.exactAmount) };
    case 'adjustment':
      return { exact_amount: formatPlain(l.exactAmount) };
    case 'discount':
      return { pct: formatPlain(l.pct) };
    case 'minimum_commit':
      return { commit: formatPlain(l.commit) };
    case 'tax':
      return { name: l.name };
  }
}

export function invoiceToJson(inv: Invoice, options: { detail?: boolean } = {}): { [key: string]: Json } {
  const digits = inv.minorDigits;
  return {
    customer: inv.customer,
    currency: inv.currency,
    status: inv.status,
    period: { start: formatInstant(inv.period.startMs), end: formatInstant(inv.period.endMs) },
    lines: inv.lines.map((l) => (options.detail ? { ...lineToJson(l, digits), ...lineDetail(l) } : lineToJson(l, digits))),
    subtotal: formatAmount(inv.subtotal, digits),
    total_excluding_tax: formatAmount(inv.totalExcludingTax, digits),
    tax_total: formatAmount(inv.taxTotal, digits),
    total: formatAmount(inv.total, digits),
  };
}
