// Which usage alerts a draft has reached (SPEC §13). Pure: the caller loads the alerts and
// writes the events. Amount alerts compare the draft's total_excluding_tax; meter alerts the
// period's usage of that meter over every server of the customer, priced by a plan or not
// (adjustments for earlier periods' late usage do not count).
import type { UsageAlert } from '../catalog/types.js';
import { Decimal } from '../lib/decimal.js';
import { formatQuantity } from '../rating/format.js';

export interface DraftFigures {
  totalExcludingTax: string;
  lines: readonly { json: { type: string; meter?: string; quantity?: unknown } }[];
  /** Usage per meter, priced or not; when given it is what meter alerts compare. */
  meterQuantities?: Readonly<Record<string, string>>;
}

export interface Reached {
  alert: UsageAlert;
  /** The draft's figure that reached the threshold (decimal string). */
  value: string;
}

export function meterQuantity(draft: DraftFigures, meter: string): Decimal {
  // A meter no plan prices has no usage line, yet its usage counts (SPEC §13: "the customer's
  // quantity of `meter`"): the rated usage itself is the measure; lines only for older callers.
  if (draft.meterQuantities) return new Decimal(draft.meterQuantities[meter] ?? 0);
  let sum = new Decimal(0);
  for (const l of draft.lines) {
    if (l.json.type === 'usage' && l.json.meter === meter && typeof l.json.quantity === 'string') sum = sum.plus(l.json.quantity);
  }
  return sum;
}

export function reachedAlerts(alerts: readonly UsageAlert[], draft: DraftFigures): Reached[] {
  const out: Reached[] = [];
  for (const a of alerts) {
    const value = a.kind === 'amount' ? new Decimal(draft.totalExcludingTax) : meterQuantity(draft, a.meter);
    if (value.gte(a.threshold)) out.push({ alert: a, value: a.kind === 'amount' ? draft.totalExcludingTax : formatQuantity(value) }); // shown like a line's quantity
  }
  return out;
}
