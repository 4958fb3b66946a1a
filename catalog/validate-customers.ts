// `customers:` (SPEC §5, §12.1): currency (must be the catalogue's), the custom contract —
// plan overrides, discount and minimum commit — and the billing details and tax treatment.
import { Decimal, ZERO } from '../lib/decimal.js';
import { TAX_EXEMPT, TAX_REVERSE_CHARGE, type BillingDetails, type Contract, type Customer, type CustomerTax, type PlanOverride } from './types.js';
import type { Checker } from './fields.js';
import { validateAlerts } from './validate-alerts.js';
import type { RawValue } from './raw.js';
import { validateBilling } from './validate-party.js';
import { validateBaseFee, validateCharges } from './validate-plans.js';

const HUNDRED = new Decimal(100);

function validateOverride(c: Checker, raw: RawValue | undefined, path: string, meters: ReadonlySet<string>): PlanOverride | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['base_fee', 'charges']);
  const out: PlanOverride = {};
  if (m.base_fee !== undefined) out.baseFee = validateBaseFee(c, m.base_fee, `${path}.base_fee`);
  if (m.charges !== undefined) out.charges = validateCharges(c, m.charges, `${path}.charges`, meters);
  return out;
}

function validateContract(c: Checker, raw: RawValue | undefined, path: string, plans: ReadonlySet<string>, meters: ReadonlySet<string>): Contract {
  const contract: Contract = { overrides: {} };
  if (raw === undefined || raw === null) return contract;
  const m = c.map(raw, path);
  if (!m) return contract;
  c.keys(m, path, ['overrides', 'discount_pct', 'minimum_commit']);
  if (m.overrides !== undefined && m.overrides !== null) {
    const o = c.map(m.overrides, `${path}.overrides`);
    for (const [plan, value] of Object.entries(o ?? {})) {
      const p = `${path}.overrides.${plan}`;
      if (!plans.has(plan)) c.add(p, `unknown plan ${JSON.stringify(plan)}`);
      const override = validateOverride(c, value, p, meters);
      if (override) contract.overrides[plan] = override;
    }
  }
  const discount = c.optionalDecimal(m.discount_pct, `${path}.discount_pct`, { kind: 'pricing', min: ZERO, max: HUNDRED });
  if (discount) contract.discountPct = discount;
  const commit = c.optionalDecimal(m.minimum_commit, `${path}.minimum_commit`, { kind: 'pricing', min: ZERO });
  if (commit) contract.minimumCommit = commit;
  return contract;
}

/** `tax:` — a key of `taxes`, exempt, or reverse_charge (which needs the customer's VAT id). */
function validateTax(
  c: Checker,
  raw: RawValue | undefined,
  path: string,
  taxes: ReadonlySet<string>,
  billing: { given: boolean; value?: BillingDetails },
): CustomerTax | undefined {
  const tax = c.string(raw, path, false);
  if (tax === undefined) return undefined;
  if (tax === TAX_REVERSE_CHARGE) {
    // A broken billing block is reported on its own; only a valid one without vat_id is this problem.
    if (!billing.given) c.add(path, 'reverse_charge requires billing with the customer\'s vat_id');
    else if (billing.value && billing.value.vatId === undefined) c.add(path, 'reverse_charge requires billing.vat_id');
    return tax;
  }
  if (tax === TAX_EXEMPT || taxes.has(tax)) return tax;
  const known = [...[...taxes].sort(), TAX_EXEMPT, TAX_REVERSE_CHARGE].join(', ');
  c.add(path, `unknown tax ${JSON.stringify(tax)} (expected one of: ${known})`);
  return undefined;
}

export function validateCustomers(
  c: Checker,
  raw: RawValue | undefined,
  currency: string | undefined,
  plans: ReadonlySet<string>,
  meters: ReadonlySet<string>,
  taxes: ReadonlySet<string> = new Set(),
): Record<string, Customer> {
  const out: Record<string, Customer> = {};
  if (raw === undefined || raw === null) return out;
  const m = c.map(raw, 'customers');
  if (!m) return out;
  for (const [id, value] of Object.entries(m)) {
    const path = `customers.${id}`;
    const cm = value === null ? {} : c.map(value, path);
    if (!cm) continue;
    c.keys(cm, path, ['currency', 'contract', 'name', 'billing', 'tax', 'alerts']);
    const own = c.string(cm.currency, `${path}.currency`, false);
    if (own !== undefined && currency !== undefined && own !== currency) {
      c.add(`${path}.currency`, `must equal the catalogue's currency ${currency} (got ${own})`);
    }
    const contract = validateContract(c, cm.contract, `${path}.contract`, plans, meters);
    const given = cm.billing !== undefined && cm.billing !== null;
    const billing = given ? validateBilling(c, cm.billing, `${path}.billing`) : undefined;
    const tax = validateTax(c, cm.tax, `${path}.tax`, taxes, { given, ...(billing ? { value: billing } : {}) });
    const alerts = validateAlerts(c, cm.alerts, `${path}.alerts`, meters);
    out[id] = { id, currency: currency ?? own ?? '', contract, ...(billing ? { billing } : {}), ...(tax !== undefined ? { tax } : {}), ...(alerts.length > 0 ? { alerts } : {}) };
  }
  return out;
}
