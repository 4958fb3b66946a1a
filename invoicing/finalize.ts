// Finalization (SPEC §4, §8): a period's drafts are recomputed one last time and become final,
// in one transaction per customer under its lock. The parts the invoice accounts for are marked
// billed by it, so any part of that range arriving later is late usage: an adjustment line on
// the customer's next invoice. The database refuses any later change of a final invoice.
import type pg from 'pg';
import { MeterlineError } from '../lib/errors.js';
import { formatInstant, parsePeriod } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { getCustomer, listCustomers } from './db/customers.js';
import { invoiceId, markFinal } from './db/invoices.js';
import { markBilled } from './db/parts.js';
import { lockCustomer, withTransaction } from './db/tx.js';
import { recomputeLocked } from './drafts.js';
import { nextLabel } from './period.js';

export interface FinalizeResult {
  customer: string;
  invoice?: string;
  /** finalized now, already final before, or nothing to bill in the period. */
  result: 'finalized' | 'already_final' | 'no_invoice';
}

export async function finalizeCustomer(pool: pg.Pool, ctx: InvoicingContext, customer: string, label: string): Promise<FinalizeResult> {
  return withTransaction(pool, async (client) => {
    await lockCustomer(client, customer);
    const r = await recomputeLocked(client, ctx, customer, label);
    if (r.outcome === 'final') return { customer, invoice: r.head?.id, result: 'already_final' };
    if (!r.rated) return { customer, result: 'no_invoice' };
    const id = invoiceId(customer, label);
    await markBilled(client, id, r.rated.partIds);
    await markFinal(client, id);
    // Late usage of earlier periods now goes to the next period: bring that draft up to date.
    await recomputeLocked(client, ctx, customer, nextLabel(label));
    return { customer, invoice: id, result: 'finalized' };
  });
}

/** Finalize `label` for one customer or all; refuses a period that has not ended yet. */
export async function finalizePeriod(pool: pg.Pool, ctx: InvoicingContext, label: string, customer?: string): Promise<FinalizeResult[]> {
  let period;
  try {
    period = parsePeriod(label, ctx.catalog.timezone);
  } catch (err) {
    throw new MeterlineError('validation', `period: ${(err as Error).message}`);
  }
  if (period.endMs > ctx.now()) {
    throw new MeterlineError('conflict', `period ${label} has not ended yet (it ends ${formatInstant(period.endMs)}); only a past period can be finalized`);
  }
  let customers: string[];
  if (customer !== undefined) {
    if (!(await getCustomer(pool, customer))) throw new MeterlineError('not_found', `no customer ${JSON.stringify(customer)}`);
    customers = [customer];
  } else {
    customers = (await listCustomers(pool)).map((c) => c.id);
  }
  const results: FinalizeResult[] = [];
  for (const c of customers) results.push(await finalizeCustomer(pool, ctx, c, label));
  return results;
}
