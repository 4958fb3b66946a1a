// Customers between the database and the rating core. The contract and billing details are
// stored in the catalogue's own spelling with every decimal a plain string, and read back
// through the catalogue validator, so a customer from the API obeys exactly the rules of one
// from the file (a tax key the catalogue lacks, reverse_charge without a VAT id …).
import type { BaseFee, BillingDetails, Catalog, Charge, Contract, Customer } from '../catalog/types.js';
import { Checker } from '../catalog/fields.js';
import type { RawValue } from '../catalog/raw.js';
import { validateCustomers } from '../catalog/validate-customers.js';
import type { Problem } from '../lib/errors.js';
import { MeterlineError } from '../lib/errors.js';
import type { CustomerRow } from './db/customers.js';

type Json = string | null | Json[] | { [key: string]: Json };

const baseFeeJson = (b: BaseFee): Json => ({ amount: b.amount.toFixed(), per: b.per });

function chargeJson(ch: Charge): Json {
  const out: { [key: string]: Json } = { meter: ch.meter, model: ch.model, free_units: ch.freeUnits.toFixed() };
  if (ch.unitPrice) out.unit_price = ch.unitPrice.toFixed();
  if (ch.packageSize) out.package_size = ch.packageSize.toFixed();
  if (ch.packagePrice) out.package_price = ch.packagePrice.toFixed();
  if (ch.tiers) {
    out.tiers = ch.tiers.map((t) => {
      const tier: { [key: string]: Json } = { up_to: t.upTo === null ? null : t.upTo.toFixed(), unit_price: t.unitPrice.toFixed() };
      if (t.flatFee) tier.flat_fee = t.flatFee.toFixed();
      return tier;
    });
  }
  return out;
}

/** A validated contract in catalogue spelling (plain decimal strings: exact, and re-validatable). */
export function contractJson(contract: Contract): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const overrides = Object.entries(contract.overrides);
  if (overrides.length > 0) {
    out.overrides = Object.fromEntries(
      overrides.map(([plan, o]) => {
        const v: { [key: string]: Json } = {};
        if (o.baseFee) v.base_fee = baseFeeJson(o.baseFee);
        if (o.charges) v.charges = o.charges.map(chargeJson);
        return [plan, v];
      }),
    );
  }
  if (contract.discountPct) out.discount_pct = contract.discountPct.toFixed();
  if (contract.minimumCommit) out.minimum_commit = contract.minimumCommit.toFixed();
  return out;
}

/** Billing details in catalogue spelling. */
export function billingJson(b: BillingDetails): { [key: string]: Json } {
  return {
    name: b.name,
    address: [...b.address],
    ...(b.country !== undefined ? { country: b.country } : {}),
    ...(b.vatId !== undefined ? { vat_id: b.vatId } : {}),
    ...(b.email !== undefined ? { email: b.email } : {}),
  };
}

/**
 * Validates one customer entry (`{currency?, contract?, billing?, tax?}`, raw as read from the request or the
 * database) against the catalogue's plans, meters and currency. Problems are named by field
 * within the entry (`contract.discount_pct`), not by catalogue path.
 */
export function validateCustomerEntry(catalog: Catalog, id: string, raw: RawValue): { customer?: Customer; problems: Problem[] } {
  const c = new Checker();
  const customers = validateCustomers(
    c, { [id]: raw }, catalog.currency, new Set(Object.keys(catalog.plans)), new Set(Object.keys(catalog.meters)), new Set(Object.keys(catalog.taxes)),
  );
  const prefix = `customers.${id}`;
  const problems = c.problems.map((p) => ({
    path: p.path === prefix ? '(body)' : p.path.startsWith(`${prefix}.`) ? p.path.slice(prefix.length + 1) : p.path,
    message: p.message,
  }));
  return problems.length > 0 ? { problems } : { customer: customers[id], problems };
}

/** A stored customer as the rating core sees it; a row the catalogue no longer accepts is an error. */
export function customerFromRow(catalog: Catalog, row: CustomerRow): Customer {
  const entry: { [key: string]: RawValue } = { currency: row.currency, contract: row.contract as RawValue };
  if (row.billing !== null) entry.billing = row.billing as RawValue;
  if (row.tax !== null) entry.tax = row.tax;
  const { customer, problems } = validateCustomerEntry(catalog, row.id, entry);
  if (!customer) {
    throw new MeterlineError('validation', `customer ${row.id} in the database does not fit catalogue ${catalog.contentHash.slice(0, 12)}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  return customer;
}

export const customerRow = (customer: Customer, source: 'catalog' | 'api'): CustomerRow => ({
  id: customer.id,
  currency: customer.currency,
  contract: contractJson(customer.contract),
  billing: customer.billing ? billingJson(customer.billing) : null,
  tax: customer.tax ?? null,
  source,
});
