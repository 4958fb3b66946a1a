// `plans:` (SPEC §5, §6): base fees, usage charges with their pricing models, SLA credits.
// The readers for base_fee and charges are shared with contract overrides, which must obey
// exactly the same rules.
import { Decimal, ZERO } from '../lib/decimal.js';
import type { BaseFee, Charge, ChargeModel, Plan, SlaCredit, Tier } from './types.js';
import type { Checker } from './fields.js';
import type { RawValue } from './raw.js';

const MODELS = ['per_unit', 'graduated', 'volume', 'package'] as const;
const HUNDRED = new Decimal(100);
const price = { kind: 'pricing', min: ZERO } as const;
const positive = { kind: 'pricing', min: ZERO, minExclusive: true } as const;

export function validateBaseFee(c: Checker, raw: RawValue | undefined, path: string): BaseFee | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['amount', 'per']);
  const amount = c.decimal(m.amount, `${path}.amount`, price);
  const per = c.oneOf<'hour' | 'month'>(m.per, `${path}.per`, ['hour', 'month']);
  return amount && per ? { amount, per } : undefined;
}

function validateTiers(c: Checker, raw: RawValue | undefined, path: string): Tier[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    c.add(path, 'must be a non-empty list of tiers');
    return undefined;
  }
  const tiers: Tier[] = [];
  let ok = true;
  let previous: Decimal = ZERO;
  raw.forEach((t, i) => {
    const p = `${path}[${i}]`;
    const m = c.map(t, p);
    if (!m) return void (ok = false);
    c.keys(m, p, ['up_to', 'unit_price', 'flat_fee']);
    const last = i === raw.length - 1;
    let upTo: Decimal | null | undefined = null;
    if (!('up_to' in m)) {
      c.add(`${p}.up_to`, 'is required (null for no upper bound)');
      upTo = undefined;
    } else if (m.up_to === null) {
      if (!last) {
        c.add(`${p}.up_to`, 'only the last tier may be unbounded (null)');
        upTo = undefined;
      }
    } else {
      upTo = c.decimal(m.up_to, `${p}.up_to`, positive);
      if (upTo && upTo.lte(previous)) {
        c.add(`${p}.up_to`, `must be greater than ${previous.toFixed()}`);
        upTo = undefined;
      } else if (upTo) {
        previous = upTo;
        if (last) c.add(`${p}.up_to`, 'the last tier must be unbounded (up_to: null), so every quantity has a price');
      }
    }
    const unitPrice = m.unit_price === undefined && m.flat_fee !== undefined ? ZERO : c.decimal(m.unit_price, `${p}.unit_price`, price);
    const flatFee = c.optionalDecimal(m.flat_fee, `${p}.flat_fee`, price);
    if (upTo === undefined || !unitPrice || (m.flat_fee !== undefined && !flatFee)) return void (ok = false);
    const tier: Tier = { upTo, unitPrice };
    if (flatFee) tier.flatFee = flatFee;
    tiers.push(tier);
  });
  return ok ? tiers : undefined;
}

const MODEL_FIELDS: Record<ChargeModel, readonly string[]> = {
  per_unit: ['unit_price'],
  graduated: ['tiers'],
  volume: ['tiers'],
  package: ['package_size', 'package_price'],
};

export function validateCharge(c: Checker, raw: RawValue | undefined, path: string, meters: ReadonlySet<string>): Charge | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['meter', 'model', 'free_units', 'unit_price', 'tiers', 'package_size', 'package_price']);
  const meter = c.string(m.meter, `${path}.meter`);
  if (meter !== undefined && !meters.has(meter)) c.add(`${path}.meter`, `unknown meter ${JSON.stringify(meter)}`);
  const model = c.oneOf<ChargeModel>(m.model, `${path}.model`, MODELS);
  const freeUnits = m.free_units === undefined ? ZERO : c.decimal(m.free_units, `${path}.free_units`, price);
  if (!model) return undefined;
  for (const other of MODELS) {
    for (const f of MODEL_FIELDS[other]) {
      if (!MODEL_FIELDS[model].includes(f) && m[f] !== undefined) c.add(`${path}.${f}`, `does not apply to model ${model}`);
    }
  }
  const charge: Charge = { meter: meter ?? '', model, freeUnits: freeUnits ?? ZERO };
  let ok = meter !== undefined && meters.has(meter) && freeUnits !== undefined;
  if (model === 'per_unit') {
    charge.unitPrice = c.decimal(m.unit_price, `${path}.unit_price`, price);
    ok &&= charge.unitPrice !== undefined;
  } else if (model === 'package') {
    charge.packageSize = c.decimal(m.package_size, `${path}.package_size`, positive);
    charge.packagePrice = c.decimal(m.package_price, `${path}.package_price`, price);
    ok &&= charge.packageSize !== undefined && charge.packagePrice !== undefined;
  } else {
    charge.tiers = validateTiers(c, m.tiers, `${path}.tiers`);
    ok &&= charge.tiers !== undefined;
  }
  return ok ? charge : undefined;
}

/** A list of charges with at most one per meter (overrides match charges by meter). */
export function validateCharges(c: Checker, raw: RawValue | undefined, path: string, meters: ReadonlySet<string>): Charge[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    c.add(path, 'must be a list of charges');
    return [];
  }
  const out: Charge[] = [];
  const seen = new Map<string, number>();
  raw.forEach((r, i) => {
    const charge = validateCharge(c, r, `${path}[${i}]`, meters);
    if (!charge) return;
    const first = seen.get(charge.meter);
    if (first !== undefined) c.add(`${path}[${i}].meter`, `meter ${charge.meter} is already charged by ${path}[${first}]`);
    else seen.set(charge.meter, i);
    out.push(charge);
  });
  return out;
}

function validateSla(c: Checker, raw: RawValue | undefined, path: string): { credits: SlaCredit[] } | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['credits']);
  if (!Array.isArray(m.credits) || m.credits.length === 0) {
    c.add(`${path}.credits`, 'must be a non-empty list of { below, credit_pct }');
    return undefined;
  }
  const credits: SlaCredit[] = [];
  m.credits.forEach((r, i) => {
    const p = `${path}.credits[${i}]`;
    const cm = c.map(r, p);
    if (!cm) return;
    c.keys(cm, p, ['below', 'credit_pct']);
    const below = c.decimal(cm.below, `${p}.below`, { kind: 'pricing', min: ZERO, minExclusive: true, max: HUNDRED });
    const creditPct = c.decimal(cm.credit_pct, `${p}.credit_pct`, { kind: 'pricing', min: ZERO, max: HUNDRED });
    if (below && credits.some((x) => x.below.eq(below))) c.add(`${p}.below`, `threshold ${below.toFixed()} is listed twice`);
    else if (below && creditPct) credits.push({ below, creditPct });
  });
  return { credits };
}

export function validatePlan(c: Checker, name: string, raw: RawValue | undefined, path: string, meters: ReadonlySet<string>): Plan | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['base_fee', 'charges', 'sla']);
  const plan: Plan = { name, charges: validateCharges(c, m.charges, `${path}.charges`, meters) };
  if (m.base_fee !== undefined && m.base_fee !== null) plan.baseFee = validateBaseFee(c, m.base_fee, `${path}.base_fee`);
  if (m.sla !== undefined && m.sla !== null) plan.sla = validateSla(c, m.sla, `${path}.sla`);
  if (m.sla !== undefined && m.sla !== null && m.base_fee === undefined) c.add(`${path}.sla`, 'an SLA credit is a share of the base fee, and this plan has none');
  return plan;
}
