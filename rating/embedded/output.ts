// What `meterline bill` prints: SPEC §9 JSON (plus the top-level `unattributed`), the
// `--compare-catalog` pairing, and a readable table of either.
import { Decimal } from '../../lib/decimal.js';
import { formatQuantity } from '../format.js';
import { invoiceToJson, lineToJson, type Json } from '../invoice-json.js';
import type { Invoice } from '../invoice-types.js';
import type { BillRun } from './run-bill.js';

export function billJson(run: BillRun, detail = false): { [key: string]: Json } {
  return {
    invoices: run.invoices.map((i) => invoiceToJson(i, { detail })),
    unattributed: run.unattributed.map((u) => ({ server_id: u.serverId, meter: u.meter, quantity: formatQuantity(u.quantity) })),
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Customers of either run, each with its invoice under both catalogues (null = none there). */
export function pairInvoices(base: BillRun, other: BillRun): Array<{ customer: string; base?: Invoice; other?: Invoice }> {
  const customers = [...new Set([...base.invoices, ...other.invoices].map((i) => i.customer))].sort(cmp);
  return customers.map((customer) => {
    const pair: { customer: string; base?: Invoice; other?: Invoice } = { customer };
    const b = base.invoices.find((i) => i.customer === customer);
    const o = other.invoices.find((i) => i.customer === customer);
    if (b) pair.base = b;
    if (o) pair.other = o;
    return pair;
  });
}

export function compareJson(base: BillRun, other: BillRun, names: [string, string], detail = false): { [key: string]: Json } {
  return {
    catalogs: { base: names[0], compare: names[1] },
    comparisons: pairInvoices(base, other).map((p) => {
      const out: { [key: string]: Json } = {
        customer: p.customer,
        base: p.base ? invoiceToJson(p.base, { detail }) : null,
        compare: p.other ? invoiceToJson(p.other, { detail }) : null,
      };
      if (p.base && p.other && p.base.currency === p.other.currency) {
        out.total_difference = p.other.total.minus(p.base.total).toFixed(p.base.minorDigits);
      }
      return out;
    }),
    unattributed: { base: billJson(base).unattributed ?? [], compare: billJson(other).unattributed ?? [] },
  };
}

type Row = string[];

function render(rows: Row[], rightAligned: ReadonlySet<number>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => '  ' + r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

const s = (j: Json | undefined): string => (j === undefined || j === null ? '' : typeof j === 'object' ? JSON.stringify(j) : String(j));

function heading(inv: Invoice): string {
  const j = invoiceToJson(inv) as { period: { start: string; end: string } };
  return `${inv.customer}  ${inv.currency}  ${inv.status}  ${j.period.start} – ${j.period.end}`;
}

export function invoiceTable(inv: Invoice): string {
  const rows: Row[] = [['type', 'server', 'plan', 'meter', 'quantity', 'unit', 'unit price', 'amount']];
  for (const l of inv.lines) {
    const j = lineToJson(l, inv.minorDigits);
    // A tax line: its code where a meter goes, the base as its quantity, the rate as its unit.
    if (j.type === 'tax') rows.push([s(j.type), '', '', s(j.code), s(j.base), `${s(j.rate)} %`, '', s(j.amount)]);
    else rows.push([s(j.type), s(j.server_id), s(j.plan), s(j.meter ?? j.period_of_usage), s(j.quantity), s(j.unit), s(j.unit_price), s(j.amount)]);
  }
  const j = invoiceToJson(inv);
  const sum = (label: string, v: Json | undefined): Row => ['', '', '', '', '', '', label, s(v)];
  rows.push(sum('subtotal', j.subtotal), sum('total excl. tax', j.total_excluding_tax), sum('tax', j.tax_total), sum('total', j.total));
  return `${heading(inv)}\n${render(rows, new Set([4, 6, 7]))}`;
}

export function billTable(run: BillRun): string {
  const parts = run.invoices.map(invoiceTable);
  if (run.unattributed.length > 0) {
    const rows: Row[] = [['server', 'meter', 'quantity', 'samples']];
    for (const u of run.unattributed) rows.push([u.serverId, u.meter, formatQuantity(u.quantity), String(u.samples)]);
    parts.push(`unattributed usage (no subscription covers it; not billed)\n${render(rows, new Set([2, 3]))}`);
  }
  if (run.invoices.length === 0) parts.unshift(`no customer has a subscription in ${run.period.label}`);
  return parts.join('\n\n') + '\n';
}

/** Side by side: each line's amount under both catalogues, matched by type, server, plan and meter. */
export function compareTable(base: BillRun, other: BillRun, names: [string, string]): string {
  const out: string[] = [];
  for (const p of pairInvoices(base, other)) {
    const rows: Row[] = [['type', 'server', 'plan', 'meter', names[0], names[1], 'difference']];
    const key = (j: { [key: string]: Json }, n: number): string => [j.type, j.server_id, j.plan, j.meter, n].map(s).join('|');
    const amounts = new Map<string, { row: Row; a?: string; b?: string }>();
    const add = (inv: Invoice | undefined, side: 'a' | 'b'): void => {
      if (!inv) return;
      const seen = new Map<string, number>();
      for (const l of inv.lines) {
        const j = lineToJson(l, inv.minorDigits);
        const first = key(j, 0);
        const n = seen.get(first) ?? 0; // the same key twice (e.g. two subscriptions of a server)
        seen.set(first, n + 1);
        const k = key(j, n);
        const e = amounts.get(k) ?? { row: [s(j.type), s(j.server_id), s(j.plan), s(j.meter)] };
        e[side] = s(j.amount);
        amounts.set(k, e);
      }
    };
    add(p.base, 'a');
    add(p.other, 'b');
    const digits = p.base?.minorDigits ?? p.other?.minorDigits ?? 2;
    const diff = (a?: string, b?: string): string =>
      p.base && p.other && p.base.currency === p.other.currency ? formatDiff(a ?? '0', b ?? '0', digits) : '';
    for (const e of amounts.values()) rows.push([...e.row, e.a ?? '—', e.b ?? '—', diff(e.a, e.b)]);
    const ta = p.base ? invoiceToJson(p.base).total : undefined;
    const tb = p.other ? invoiceToJson(p.other).total : undefined;
    rows.push(['', '', '', 'total', s(ta) || '—', s(tb) || '—', diff(s(ta) || undefined, s(tb) || undefined)]);
    out.push(`${p.customer}\n${render(rows, new Set([4, 5, 6]))}`);
  }
  return out.join('\n\n') + '\n';
}

function formatDiff(a: string, b: string, digits: number): string {
  const d = new Decimal(b).minus(new Decimal(a));
  return (d.isZero() || d.isNegative() ? '' : '+') + d.toFixed(digits);
}
