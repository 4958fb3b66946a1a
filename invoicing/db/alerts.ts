// customer_alerts and usage_alerts_fired (migration 062): a customer's alert list in catalogue
// spelling, and the (customer, period, alert) triples already emitted.
import { Decimal } from '../../lib/decimal.js';
import type { UsageAlert } from '../../catalog/types.js';
import { alertJson } from '../../catalog/validate-alerts.js';
import type { Queryable } from './tx.js';

/** Replaces the customer's alerts (PUT semantics); an empty list removes them. */
export async function putCustomerAlerts(db: Queryable, customer: string, alerts: readonly UsageAlert[]): Promise<void> {
  if (alerts.length === 0) {
    await db.query({ name: 'customer_alerts.delete', text: 'DELETE FROM customer_alerts WHERE customer = $1', values: [customer] });
    return;
  }
  await db.query({
    name: 'customer_alerts.put',
    text: `INSERT INTO customer_alerts (customer, alerts) VALUES ($1, $2)
           ON CONFLICT (customer) DO UPDATE SET alerts = EXCLUDED.alerts, updated_at = now()`,
    values: [customer, JSON.stringify(alerts.map(alertJson))],
  });
}

/** The stored alerts (validated when written, so read back without the catalogue). */
export async function customerAlerts(db: Queryable, customer: string): Promise<UsageAlert[]> {
  const r = await db.query<{ alerts: Record<string, string>[] }>({
    name: 'customer_alerts.get',
    text: 'SELECT alerts FROM customer_alerts WHERE customer = $1',
    values: [customer],
  });
  return (r.rows[0]?.alerts ?? []).map((a) =>
    a.amount !== undefined
      ? { kind: 'amount', threshold: new Decimal(a.amount), text: a.amount }
      : { kind: 'meter', meter: a.meter ?? '', threshold: new Decimal(a.quantity ?? '0'), text: a.quantity ?? '0' },
  );
}

/** Records the alert as emitted; false when it had been already (nothing written). */
export async function markFired(db: Queryable, customer: string, period: string, key: string, eventSeq: string): Promise<boolean> {
  const r = await db.query({
    name: 'usage_alerts_fired.insert',
    text: 'INSERT INTO usage_alerts_fired (customer, period, alert_key, event_seq) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    values: [customer, period, key, eventSeq],
  });
  return (r.rowCount ?? 0) > 0;
}

export async function alreadyFired(db: Queryable, customer: string, period: string): Promise<Set<string>> {
  const r = await db.query<{ alert_key: string }>({
    name: 'usage_alerts_fired.of_period',
    text: 'SELECT alert_key FROM usage_alerts_fired WHERE customer = $1 AND period = $2',
    values: [customer, period],
  });
  return new Set(r.rows.map((x) => x.alert_key));
}
