// The what-if comparison (SPEC §14): a period's invoices rated from the stored usage under the
// current catalogue and under a proposed one, side by side. Read-only: nothing is written, and
// both sides go through rateDraft (the rate role's own code), so the only difference is the
// catalogue. Customers, contracts and subscriptions are the database's; the proposed catalogue
// brings plans, meters and prices (a subscription whose plan it lacks is a 422 naming it).
import type pg from 'pg';
import type { Catalog } from '../catalog/types.js';
import { dec } from '../lib/decimal.js';
import { isKind, MeterlineError } from '../lib/errors.js';
import type { InvoicingContext } from './context.js';
import { customerInvoiceHeads, listInvoices } from './db/invoices.js';
import { withSnapshot, type Queryable } from './db/tx.js';
import { rateDraft } from './rate-draft.js';
import type { LineJson, RatedInvoice } from './types.js';

export interface WhatIfSide {
  catalog: string;
  currency: string;
  lines: LineJson[];
  subtotal: string;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
}

export interface WhatIfCustomer {
  customer: string;
  current: WhatIfSide | null;
  proposed: WhatIfSide | null;
  /** proposed.total − current.total, with the currency's minor digits (null when a side has no invoice). */
  difference: string | null;
}

const side = (r: RatedInvoice | undefined, catalog: Catalog): WhatIfSide | null =>
  r
    ? { catalog: catalog.contentHash.slice(0, 12), currency: r.currency, lines: r.lines.map((l) => l.json), subtotal: r.subtotal, total_excluding_tax: r.totalExcludingTax, tax_total: r.taxTotal, total: r.total }
    : null;

const digits = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

/** Both sides of every customer from one snapshot: usage arriving meanwhile never shows as a difference. */
export async function whatIf(pool: pg.Pool, ctx: InvoicingContext, proposed: Catalog, label: string, customer?: string): Promise<{ period: string; customers: WhatIfCustomer[] }> {
  return withSnapshot(pool, (client) => compare(client, ctx, proposed, label, customer));
}

async function compare(db: Queryable, ctx: InvoicingContext, proposed: Catalog, label: string, customer?: string): Promise<{ period: string; customers: WhatIfCustomer[] }> {
  const names = [...new Set((await listInvoices(db, { period: label, ...(customer ? { customer } : {}) })).map((i) => i.customer))].sort();
  const out: WhatIfCustomer[] = [];
  for (const name of names) {
    const heads = await customerInvoiceHeads(db, name);
    const current = await rateDraft(db, ctx, name, label, heads);
    let next: RatedInvoice | undefined;
    try {
      next = await rateDraft(db, { ...ctx, catalog: proposed }, name, label, heads);
    } catch (err) {
      // A plan in use that the proposal lacks is a problem of the proposal, not of the server.
      if (isKind(err, 'config')) throw new MeterlineError('validation', `proposed catalogue: ${err.message}`);
      throw err;
    }
    const a = side(current, ctx.catalog);
    const b = side(next, proposed);
    const difference = a && b ? dec(b.total).minus(dec(a.total)).toFixed(Math.max(digits(a.total), digits(b.total))) : null;
    out.push({ customer: name, current: a, proposed: b, difference });
  }
  return { period: label, customers: out };
}
