// Test helpers: catalogues written as YAML (so tests exercise the real loader), usage maps.
import { parseCatalog } from '../../catalog/load.js';
import type { Catalog } from '../../catalog/types.js';
import { dec } from '../../lib/decimal.js';
import type { Decimal } from '../../lib/decimal.js';
import { invoiceToJson } from '../../rating/invoice-json.js';
import type { Invoice } from '../../rating/invoice-types.js';

export const METERS = `
meters:
  bandwidth_out_gb: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  ssd_extra_gb:     { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:         { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  requests:         { metric: http_requests, kind: delta, unit: request }
`;

export function catalog(yaml: string): Catalog {
  return parseCatalog(yaml);
}

/** subscription id → meter → quantity. */
export function usage(entries: Record<string, Record<string, string>>): Map<string, Map<string, Decimal>> {
  return new Map(Object.entries(entries).map(([sub, meters]) => [sub, new Map(Object.entries(meters).map(([m, q]) => [m, dec(q)]))]));
}

type JsonLine = { [key: string]: unknown };
export const json = (inv: Invoice) => invoiceToJson(inv) as { lines: JsonLine[]; subtotal: string; total: string; [key: string]: unknown };

/** The lines as compact `type[:server][:meter]=amount` strings, in invoice order. */
export const amounts = (inv: Invoice): string[] =>
  json(inv).lines.map((l) => [l.type, l.server_id, l.meter].filter((x) => x !== undefined).join(':') + '=' + String(l.amount));
