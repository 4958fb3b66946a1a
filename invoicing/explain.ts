// GET /v1/invoices/:id/lines/:n/explain: the rollup parts behind a line and where they came
// from (usage.rollups offsets the rate role read them at, metrics.raw offsets of the samples).
// A draft's usage line is every stored part of its series and range not billed yet; a final
// invoice's line is exactly the parts finalization marked billed by it; an adjustment line is
// the late parts of the period it names.
import type pg from 'pg';
import { formatInstant } from '../rating/period.js';
import { getLine, listInvoices } from './db/invoices.js';
import { offsetsForLine, partsForLine, type OffsetRange } from './db/parts.js';
import { withSnapshot, type Queryable } from './db/tx.js';
import type { InvoiceJson, LineJson } from './types.js';

export interface Explanation {
  invoice: string;
  n: number;
  line: LineJson;
  detail: Record<string, unknown>;
  /** Why there are no parts: base fees, credits, discounts are not usage. */
  note?: string;
  selection?: { server_id: string; meter: string; from: string; to: string; billed_by: string | null };
  parts_total: number;
  parts: Array<{
    part_id: string;
    window_start: string;
    window_end: string;
    correction: boolean;
    state: unknown;
    rollup: { topic: string; partition: number; offset: string };
    source: unknown;
  }>;
  offsets: { rollups: OffsetRange[]; sources: OffsetRange[] };
}

export async function explainLine(
  db: Queryable,
  invoice: InvoiceJson,
  n: number,
  page: { limit: number; offset: number },
): Promise<Explanation | undefined> {
  const line = await getLine(db, invoice.id, n);
  if (!line) return undefined;
  const base = { invoice: invoice.id, n, line: line.json, detail: line.detail };
  if (line.serverId === null || line.meter === null || line.fromMs === null || line.toMs === null) {
    return { ...base, note: `a ${line.type} line is not computed from usage`, parts_total: 0, parts: [], offsets: { rollups: [], sources: [] } };
  }
  const billedBy = invoice.status === 'final' ? invoice.id : null;
  const q = { serverId: line.serverId, meter: line.meter, fromMs: line.fromMs, toMs: line.toMs, billedBy };
  const { total, parts } = await partsForLine(db, { ...q, ...page });
  return {
    ...base,
    selection: { server_id: line.serverId, meter: line.meter, from: formatInstant(line.fromMs), to: formatInstant(line.toMs), billed_by: billedBy },
    parts_total: total,
    parts: parts.map((p) => ({
      part_id: p.partId,
      window_start: formatInstant(p.windowStartMs),
      window_end: formatInstant(p.windowEndMs),
      correction: p.correction,
      state: p.state,
      rollup: p.rollup,
      source: p.source,
    })),
    offsets: await offsetsForLine(db, q),
  };
}

/**
 * The invoice `id` and the explanation of its line `n`, read as one moment (`withSnapshot`): the
 * head (draft or final decides which parts), the line and its parts come from the same snapshot,
 * so a recompute or a finalization committed meanwhile shows wholly or not at all, and the parts
 * add up to the line as it is shown. `confinedTo` (a customer key's customer) hides the invoices
 * of other customers as if they did not exist.
 */
export function explainInvoiceLine(
  pool: pg.Pool,
  id: string,
  n: number,
  page: { limit: number; offset: number },
  confinedTo?: string,
): Promise<{ invoice?: InvoiceJson; explanation?: Explanation }> {
  return withSnapshot(pool, async (client) => {
    const [invoice] = await listInvoices(client, { id });
    if (!invoice || (confinedTo !== undefined && invoice.customer !== confinedTo)) return {};
    const explanation = await explainLine(client, invoice, n, page);
    return explanation ? { invoice, explanation } : { invoice };
  });
}
