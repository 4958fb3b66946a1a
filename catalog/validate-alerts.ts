// A customer's usage alerts (SPEC §13): `alerts: [ { amount: "1000.00" }, { meter: m, quantity: "5000" } ]`.
// Each entry is exactly one of the two forms; amounts are in the catalogue's currency (compared
// with the draft's total_excluding_tax), quantities in the meter's unit. Thresholds are > 0.
import { ZERO } from '../lib/decimal.js';
import type { Checker } from './fields.js';
import { NumberText, type RawValue } from './raw.js';
import type { UsageAlert } from './types.js';

export function validateAlerts(c: Checker, raw: RawValue | undefined, path: string, meters: ReadonlySet<string>): UsageAlert[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    c.add(path, 'must be a list of { amount } or { meter, quantity }');
    return [];
  }
  const out: UsageAlert[] = [];
  raw.forEach((entry, i) => {
    const p = `${path}[${i}]`;
    const m = c.map(entry, p);
    if (!m) return;
    c.keys(m, p, ['amount', 'meter', 'quantity']);
    if (m.amount !== undefined) {
      if (m.meter !== undefined || m.quantity !== undefined) {
        c.add(p, 'either { amount } or { meter, quantity }, not both');
        return;
      }
      const amount = c.decimal(m.amount, `${p}.amount`, { kind: 'pricing', min: ZERO, minExclusive: true });
      if (amount) out.push({ kind: 'amount', threshold: amount, text: textOf(m.amount) });
      return;
    }
    const meter = c.string(m.meter, `${p}.meter`);
    if (meter !== undefined && !meters.has(meter)) c.add(`${p}.meter`, `unknown meter ${JSON.stringify(meter)}`);
    const quantity = c.decimal(m.quantity, `${p}.quantity`, { kind: 'meter', min: ZERO, minExclusive: true });
    if (meter !== undefined && meters.has(meter) && quantity) out.push({ kind: 'meter', meter, threshold: quantity, text: textOf(m.quantity) });
  });
  return out;
}

/** The decimal as written (a string, or an unquoted number's own text). */
const textOf = (v: RawValue | undefined): string => (typeof v === 'string' ? v.trim() : v instanceof NumberText ? v.text : String(v));

/** An alert in catalogue spelling (decimal strings as written). */
export const alertJson = (a: UsageAlert): Record<string, string> => (a.kind === 'amount' ? { amount: a.text } : { meter: a.meter, quantity: a.text });

/** The alert's identity: one usage.alert per (customer, period, this key). */
export const alertKey = (a: UsageAlert): string => (a.kind === 'amount' ? `amount:${a.threshold.toFixed()}` : `meter:${a.meter}:${a.threshold.toFixed()}`);
