// Finalization (SPEC §4, §8, §12.3): a period's drafts are recomputed one last time and become
// final, in one transaction per customer under its lock, and each gets its invoice number in
// that same transaction (a rolled-back finalization burns no number). The parts the invoice
// accounts for are marked billed by it, so any part of that range arriving later is late usage:
// an adjustment line on the customer's next invoice. The database refuses any later change of a
// final invoice; its printed document is stored with it. A finalize call holds the period's lock throughout, so concurrent calls of one
// period run one after the other and one call's numbers follow ascending customer ids.
import type pg from 'pg';
import { MeterlineError } from '../lib/errors.js';
import { formatInstant, parsePeriod } from '../rating/period.js';
import type { InvoicingContext } from './context.js';
import { getCustomer, listCustomers } from './db/customers.js';
import { invoiceId, markFinal } from './db/invoices.js';
import { takeNumber } from './db/numbers.js';
import { markBilled } from './db/parts.js';
import { inTransaction, lockCustomer, withPeriodLock, type Queryable } from './db/tx.js';
import { issueInvoiceDocument } from './documents/issued.js';
import { recomputeLocked } from './drafts.js';
import { numberFormatsOf } from './numbering.js';
import { nextLabel } from './period.js';
import { enqueueFinalizedInvoice } from '../events/finalized.js';

export interface FinalizeResult {
  customer: string;
  invoice?: string;
  /** The invoice number: assigned now, or earlier (absent on invoices finalized before numbering). */
  number?: string;
  /** finalized now, already final before, or nothing to bill in the period. */
  result: 'finalized' | 'already_final' | 'no_invoice';
}

/**
 * Makes one customer's draft of `label` final inside the caller's open transaction `client`
 * (takes the customer's lock, assigns the number). Whatever else must happen atomically with
 * finalization (e.g. an outbox row) is written by the caller in the same transaction after it.
 */
export async function finalizeCustomerInTransaction(client: Queryable, ctx: InvoicingContext, customer: string, label: string): Promise<FinalizeResult> {
  await lockCustomer(client, customer);
  // Rated from the parts themselves (not the running state): their ids are marked billed below.
  const r = await recomputeLocked(client, { ...ctx, usageStates: false }, customer, label);
  if (r.outcome === 'final') return { customer, ...(r.head ? { invoice: r.head.id } : {}), ...(r.head?.number ? { number: r.head.number } : {}), result: 'already_final' };
  if (!r.rated) return { customer, result: 'no_invoice' };
  const id = invoiceId(customer, label);
  await markBilled(client, id, r.rated.partIds);
  // Taken last but one: the counter row stays locked until commit, so keep that span short.
  const number = await takeNumber(client, numberFormatsOf(ctx.catalog).invoice, Number(label.slice(0, 4)));
  await markFinal(client, id, number);
  // The document as issued (issuer, billing details, tax names, prices), stored in this same
  // transaction: later changes of the catalogue or the customer never reach it (SPEC §12).
  await issueInvoiceDocument(client, ctx.catalog, id);
  // Late usage of earlier periods now goes to the next period: bring that draft up to date.
  await recomputeLocked(client, ctx, customer, nextLabel(label));
  return { customer, invoice: id, number, result: 'finalized' };
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
  numberFormatsOf(ctx.catalog); // a bad number format fails here, before any invoice is touched
  return withPeriodLock(pool, label, async (client) => {
    let customers: string[];
    if (customer !== undefined) {
      if (!(await getCustomer(client, customer))) throw new MeterlineError('not_found', `no customer ${JSON.stringify(customer)}`);
      customers = [customer];
    } else {
      // Numbering order: ascending id by code unit, whatever the database's collation.
      customers = (await listCustomers(client)).map((c) => c.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    const results: FinalizeResult[] = [];
    for (const c of customers) {
      const r = await inTransaction(client, async (tx) => {
        const done = await finalizeCustomerInTransaction(tx, ctx, c, label);
        await enqueueFinalizedInvoice(tx, done); // SPEC §13: the outbox row commits with the invoice
        return done;
      });
      results.push(r);
    }
    return results;
  });
}
