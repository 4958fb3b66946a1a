// Usage alerts as drafts change (SPEC §13): after a draft is (re)computed, inside the same
// transaction and under the customer's lock, every alert the draft has reached and that has not
// fired for this (customer, period) yet becomes one usage.alert event in the outbox. Usage that
// later drops below and rises again never fires it twice: the fired triple is remembered.
import { alertKey, alertJson } from '../catalog/validate-alerts.js';
import { enqueueEvent } from '../events/outbox.js';
import { reachedAlerts } from './alerts.js';
import { alreadyFired, customerAlerts, markFired } from './db/alerts.js';
import { invoiceId } from './db/invoices.js';
import type { Queryable } from './db/tx.js';
import type { RatedInvoice } from './types.js';
import { formatInstant } from '../rating/period.js';

/** Emits the newly reached alerts of `draft`; returns how many. */
export async function checkAlerts(db: Queryable, draft: RatedInvoice): Promise<number> {
  const alerts = await customerAlerts(db, draft.customer);
  if (alerts.length === 0) return 0;
  const reached = reachedAlerts(alerts, draft);
  if (reached.length === 0) return 0;
  const fired = await alreadyFired(db, draft.customer, draft.period);
  let emitted = 0;
  for (const r of reached) {
    const key = alertKey(r.alert);
    if (fired.has(key)) continue;
    const data = {
      customer: draft.customer,
      period: { start: formatInstant(draft.periodStartMs), end: formatInstant(draft.periodEndMs) },
      invoice: invoiceId(draft.customer, draft.period),
      alert: alertJson(r.alert),
      ...(r.alert.kind === 'amount' ? { total_excluding_tax: r.value, currency: draft.currency } : { quantity: r.value }),
    };
    const seq = await enqueueEvent(db, { type: 'usage.alert', customer: draft.customer, key: `${draft.customer}\u0000${draft.period}\u0000${key}`, data });
    if (seq !== undefined && (await markFired(db, draft.customer, draft.period, key, seq))) emitted += 1;
  }
  return emitted;
}
