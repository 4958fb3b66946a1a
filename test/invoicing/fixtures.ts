// Shared fixtures of the invoicing tests: a small catalogue whose invoices are worked by hand
// in the tests, and rollup parts built the way the aggregator emits them.
import { parseCatalog } from '../../catalog/load.js';
import type { RollupPart } from '../../pipeline/aggregation/rollup.js';
import type { RollupPosition } from '../../invoicing/db/parts.js';

export const CATALOG_TEXT = `
currency: USD
timezone: UTC
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
    charges:
      - { meter: requests, model: per_unit, free_units: "100", unit_price: "0.01" }
  hourly:
    base_fee: { amount: "0.12", per: hour }
    charges:
      - { meter: requests, model: per_unit, unit_price: "0.001" }
customers:
  acme:
    contract: { discount_pct: "10" }
  beta: {}
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-10-01T00:00:00Z" }
  - { server_id: srv-2, customer: beta, plan: hourly, from: "2026-10-10T12:30:00Z", to: "2026-10-12T03:00:00Z" }
`;

export const catalog = () => parseCatalog(CATALOG_TEXT);

const MIN = 60_000;
let seq = 0;

/** A delta part of `sum` requests in the minute starting at `iso`. */
export function requestsPart(serverId: string, iso: string, sum: string, id?: string): RollupPart {
  const start = Date.parse(iso);
  seq += 1;
  return {
    partId: id ?? `test:${serverId}:${start}:${seq}`,
    serverId,
    meter: 'requests',
    windowStartMs: start,
    windowEndMs: start + MIN,
    correction: false,
    state: { count: 1, sum },
    source: { topic: 'metrics.raw', partition: 0, firstOffset: String(seq * 10), lastOffset: String(seq * 10 + 9) },
  };
}

let offset = 0;
export const at = (): RollupPosition => ({ topic: 'usage.rollups', partition: 0, offset: String(offset++) });
