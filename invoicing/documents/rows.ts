// One invoice-JSON line → one printed row (pure). Amounts and quantities are the JSON's strings;
// only the words around them (descriptions, a usage line's pricing) come from the catalogue.
import type { Plan } from '../../catalog/types.js';
import { minorDigitsOf } from '../../catalog/currencies.js';
import { formatPlain } from '../../lib/decimal.js';
import { formatPrice } from '../../rating/format.js';
import type { DocRow, Party, TaxRow } from './model.js';

/** An invoice or credit-note line as served: `type` and `amount` always, the rest by type. */
export interface SourceLine {
  readonly type: string;
  readonly amount: string;
}

/** What a document needs besides the JSON, gathered from the catalogue and the customer. */
export interface DocumentContext {
  /** IANA zone of the catalogue: issue date and period are printed in it. */
  timezone: string;
  issuer?: Party;
  /** The customer's billing details; absent = the customer id alone is printed. */
  billing?: Party;
  /** The customer's `tax` (a tax key, exempt, reverse_charge), when known. */
  customerTax?: string;
  /** Tax code → printed name (`taxes.de-vat.name`). */
  taxNames: Readonly<Record<string, string>>;
  /** Meter → unit, for lines whose JSON carries no unit. */
  meterUnits: Readonly<Record<string, string>>;
  /** The customer's plans with contract overrides applied: a usage line's pricing. */
  plans: Readonly<Record<string, Plan>>;
}

export const REVERSE_CHARGE = 'reverse_charge';

/** A line's other fields are read by name: each line type has its own (SPEC §9, §12). */
export const field = (l: SourceLine, name: string): unknown => (l as unknown as Readonly<Record<string, unknown>>)[name];

export const text = (l: SourceLine, name: string): string | undefined => {
  const v = field(l, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
};

const joined = (...parts: Array<string | undefined>): string | undefined => {
  const kept = parts.filter((p): p is string => p !== undefined);
  return kept.length > 0 ? kept.join(' · ') : undefined;
};

/** A usage line's unit price and pricing note, from the customer's effective plan. */
function pricing(l: SourceLine, currency: string, ctx: DocumentContext): { unitPrice?: string; note?: string } {
  const plan = ctx.plans[text(l, 'plan') ?? ''];
  const charge = plan?.charges.find((c) => c.meter === text(l, 'meter'));
  if (!charge) return {};
  const free = charge.freeUnits.isZero() ? undefined : `first ${formatPlain(charge.freeUnits)} free`;
  switch (charge.model) {
    case 'per_unit':
      return { ...(charge.unitPrice ? { unitPrice: formatPrice(charge.unitPrice, minorDigitsOf(currency) ?? 2) } : {}), ...(free ? { note: free } : {}) };
    case 'package':
      return { note: joined(`${charge.packagePrice?.toFixed() ?? '?'} per ${charge.packageSize?.toFixed() ?? '?'}`, free) ?? '' };
    default:
      return { unitPrice: charge.model, note: joined(`${charge.model} tiers`, free) ?? '' };
  }
}

const optional = <K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> =>
  (v === undefined ? {} : { [key]: v }) as Partial<Record<K, string>>;

/** The printed row of one invoice line (not a tax line: those go to the tax summary). */
export function rowOf(l: SourceLine, currency: string, ctx: DocumentContext): DocRow {
  const plan = text(l, 'plan') === undefined ? undefined : `plan ${text(l, 'plan')}`;
  const quantity = { ...optional('quantity', text(l, 'quantity')), ...optional('unit', text(l, 'unit') ?? ctx.meterUnits[text(l, 'meter') ?? '']) };
  switch (l.type) {
    case 'base_fee':
      return { description: 'Base fee', ...optional('detail', plan), ...quantity, ...optional('unitPrice', text(l, 'unit_price')), amount: l.amount };
    case 'usage': {
      const p = pricing(l, currency, ctx);
      return {
        description: text(l, 'meter') ?? 'Usage',
        ...optional('detail', joined(plan, p.note)),
        ...quantity,
        ...optional('unitPrice', text(l, 'unit_price') ?? p.unitPrice),
        amount: l.amount,
      };
    }
    case 'sla_credit': {
      const availability = text(l, 'availability_pct');
      return { description: 'SLA credit', ...optional('detail', joined(plan, availability && `availability ${availability} %`)), amount: l.amount };
    }
    case 'adjustment': {
      const of = text(l, 'period_of_usage');
      return {
        description: `Adjustment${text(l, 'meter') ? `: ${text(l, 'meter')}` : ''}`,
        ...optional('detail', of && `late usage of ${of}`),
        ...(text(l, 'quantity') ? quantity : {}),
        amount: l.amount,
      };
    }
    case 'discount': {
      const pct = text(l, 'pct');
      return { description: 'Discount', ...optional('detail', pct && `${pct} % contract discount`), amount: l.amount };
    }
    case 'minimum_commit': {
      const commit = text(l, 'commit');
      return { description: 'Minimum commitment true-up', ...optional('detail', commit && `commitment ${commit}`), amount: l.amount };
    }
    default:
      return { description: text(l, 'description') ?? l.type.replace(/_/g, ' '), amount: l.amount };
  }
}

/** A tax line of the JSON as a row of the tax summary. */
export function taxRowOf(l: SourceLine, ctx: DocumentContext): TaxRow {
  const code = text(l, 'code') ?? '';
  const rate = text(l, 'rate') ?? '0';
  const label = code === REVERSE_CHARGE ? 'Reverse charge' : (text(l, 'name') ?? ctx.taxNames[code] ?? code);
  return { label, rate: `${rate} %`, base: text(l, 'base') ?? '', amount: l.amount };
}
