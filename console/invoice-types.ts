// The invoice JSON as the console reads it (SPEC §9, §12.2): only the fields it shows, every
// amount a decimal string printed as given. Fields of §12 are optional: older invoices and
// servers without taxes do not carry them.
export interface Line {
  type: string;
  server_id?: string;
  plan?: string;
  meter?: string;
  quantity?: string;
  unit?: string;
  unit_price?: string;
  amount: string;
  period_of_usage?: string;
  code?: string;
  rate?: string;
}

export interface Invoice {
  id: string;
  number?: string | null;
  customer: string;
  currency: string;
  status: string;
  period: { start: string; end: string };
  lines: Line[];
  subtotal: string;
  total_excluding_tax?: string;
  tax_total?: string;
  total: string;
  finalized_at?: string | null;
}

/** `2026-10` from a period start `2026-10-01T00:00:00Z` (the period is a calendar month). */
export const periodLabel = (inv: Pick<Invoice, 'period'>): string => inv.period.start.slice(0, 7);
