// A document event as the Avro record of billing.documents (avro/billing-document.avsc). Pure:
// the fields the schema names are lifted out of the API's JSON, and the JSON itself travels
// whole (document_json, and each line's json) so nothing a newer document carries is lost
// before the schema grows a field for it.
import type { StoredEvent } from './types.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

function lineRecord(line: Record<string, unknown>) {
  return {
    type: str(line.type) ?? '',
    amount: str(line.amount) ?? '',
    n: int(line.n),
    server_id: str(line.server_id),
    plan: str(line.plan),
    meter: str(line.meter),
    quantity: str(line.quantity),
    unit: str(line.unit),
    unit_price: str(line.unit_price),
    period_of_usage: str(line.period_of_usage),
    code: str(line.code),
    rate: str(line.rate),
    base: str(line.base),
    json: JSON.stringify(line),
  };
}

export function documentRecord(e: StoredEvent): Record<string, unknown> {
  const d = e.data;
  const period = (d.period ?? null) as { start?: unknown; end?: unknown } | null;
  const lines = Array.isArray(d.lines) ? (d.lines as Record<string, unknown>[]) : [];
  const kind = e.type === 'credit_note.created' ? 'credit_note' : 'invoice';
  return {
    event_id: e.id,
    event_type: e.type,
    id: e.documentId ?? str(d.id) ?? '',
    type: kind,
    number: str(d.number),
    invoice: str(d.invoice),
    customer: e.customer,
    currency: str(d.currency) ?? '',
    status: str(d.status),
    period_start: str(period?.start),
    period_end: str(period?.end),
    reason: str(d.reason),
    lines: lines.map(lineRecord),
    subtotal: str(d.subtotal),
    total_excluding_tax: str(d.total_excluding_tax),
    tax_total: str(d.tax_total),
    total: str(d.total) ?? '',
    issued_at: str(d.finalized_at) ?? str(d.issued_at) ?? str(d.created_at) ?? new Date(e.createdAtMs).toISOString(),
    document_json: JSON.stringify(d),
  };
}
