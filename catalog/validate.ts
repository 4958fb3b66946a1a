// Validates a whole catalogue (SPEC §3, §5) and returns it typed, or every problem found,
// each under its path. Names are checked against what the file *declares*, so one broken
// meter is reported once, not again under every charge that uses it.
import { IANAZone } from 'luxon';
import type { Problem } from '../lib/errors.js';
import { minorDigitsOf } from './currencies.js';
import { Checker, isMapValue } from './fields.js';
import type { RawValue } from './raw.js';
import type { Catalog, Plan } from './types.js';
import { validateCustomers } from './validate-customers.js';
import { validateIssuer, validateTaxes } from './validate-issuer.js';
import { validateMeters } from './validate-meters.js';
import { validatePlan } from './validate-plans.js';
import { validateSubscriptions } from './validate-subscriptions.js';

export type ValidateResult = { ok: true; catalog: Catalog } | { ok: false; problems: Problem[] };

const TOP = ['currency', 'timezone', 'meters', 'plans', 'customers', 'subscriptions', 'hosts', 'issuer', 'taxes'] as const;

/** Names a section declares (its shape is checked by its own validator). */
const declared = (v: RawValue | undefined): Set<string> => new Set(isMapValue(v) ? Object.keys(v) : []);

export function validateCatalog(raw: RawValue, contentHash: string): ValidateResult {
  const c = new Checker();
  const root = c.map(raw, '(root)');
  if (!root) return { ok: false, problems: c.problems };
  c.keys(root, '(root)', TOP);

  const currency = c.string(root.currency, 'currency');
  const minorDigits = currency === undefined ? undefined : minorDigitsOf(currency);
  if (currency !== undefined && minorDigits === undefined) c.add('currency', `unknown ISO 4217 currency code ${JSON.stringify(currency)}`);

  // Default UTC when absent: calendar months in UTC are what a bare catalogue means.
  const timezone = root.timezone === undefined ? 'UTC' : c.string(root.timezone, 'timezone');
  if (timezone !== undefined && !IANAZone.isValidZone(timezone)) c.add('timezone', `unknown IANA time zone ${JSON.stringify(timezone)}`);

  const meterNames = declared(root.meters);
  const planNames = declared(root.plans);
  const customerNames = declared(root.customers);

  const meters = validateMeters(c, root.meters);
  const plans: Record<string, Plan> = {};
  if (root.plans === undefined || root.plans === null) c.add('plans', 'is required (at least one plan)');
  else {
    for (const [name, value] of Object.entries(c.map(root.plans, 'plans') ?? {})) {
      const plan = validatePlan(c, name, value, `plans.${name}`, meterNames);
      if (plan) plans[name] = plan;
    }
  }
  const issuer = validateIssuer(c, root.issuer);
  const taxes = validateTaxes(c, root.taxes);
  const customers = validateCustomers(c, root.customers, minorDigits === undefined ? undefined : currency, planNames, meterNames, declared(root.taxes));
  const subscriptions = validateSubscriptions(c, root.subscriptions, customerNames, planNames, timezone !== undefined && IANAZone.isValidZone(timezone) ? timezone : 'UTC');

  const hosts: Record<string, string> = {};
  if (root.hosts !== undefined && root.hosts !== null) {
    for (const [host, server] of Object.entries(c.map(root.hosts, 'hosts') ?? {})) {
      const s = c.string(server, `hosts.${host}`);
      if (s !== undefined) hosts[host] = s;
    }
  }

  if (c.problems.length > 0 || currency === undefined || minorDigits === undefined || timezone === undefined) {
    return { ok: false, problems: c.problems };
  }
  return {
    ok: true,
    catalog: { currency, minorDigits, timezone, meters, plans, customers, subscriptions, hosts, ...(issuer ? { issuer } : {}), taxes, contentHash },
  };
}
