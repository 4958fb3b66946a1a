// The name-and-address block shared by `issuer:` and a customer's `billing:` (SPEC §12.1):
// a name, address lines, an ISO 3166-1 alpha-2 country, a VAT id.
import { isCountry } from './countries.js';
import type { Checker, RawMap } from './fields.js';
import type { BillingDetails } from './types.js';

/** Plausible e-mail: something@domain.tld, no spaces. Delivery is the mailer's business. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A VAT id as printed (country prefix, letters, digits; spaces and dots tolerated). */
const VAT_ID = /^[A-Za-z0-9][A-Za-z0-9 .\-+*]{1,30}$/;

export function validateCountry(c: Checker, v: RawMap[string] | undefined, path: string): string | undefined {
  const s = c.string(v, path, false);
  if (s === undefined) return undefined;
  if (isCountry(s)) return s;
  const hint = isCountry(s.toUpperCase()) ? ` (write it upper case: ${s.toUpperCase()})` : '';
  c.add(path, `must be an ISO 3166-1 alpha-2 country code such as "DE" (got ${JSON.stringify(s)})${hint}`);
  return undefined;
}

/** Address lines; absent = none (a document prints what there is). */
function validateAddress(c: Checker, v: RawMap[string] | undefined, path: string): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    c.add(path, 'must be a list of address lines, e.g. ["Hauptstr. 1", "10115 Berlin"]');
    return undefined;
  }
  const lines = v.map((line, i) => c.string(line, `${path}[${i}]`));
  return lines.every((l): l is string => l !== undefined) ? lines : undefined;
}

export function validateVatId(c: Checker, v: RawMap[string] | undefined, path: string): string | undefined {
  const s = c.string(v, path, false);
  if (s === undefined) return undefined;
  if (VAT_ID.test(s)) return s;
  c.add(path, `must be a VAT id such as "DE123456789" (got ${JSON.stringify(s)})`);
  return undefined;
}

/**
 * name (required), address, country, vat_id of `m` (the caller checks which other keys are
 * allowed). Only the name is required: SPEC §12.1 makes the blocks optional without saying which
 * of their fields are, and a document prints what there is; what is given must be well-formed.
 */
export function validateParty(c: Checker, m: RawMap, path: string): Omit<BillingDetails, 'email'> | undefined {
  const name = c.string(m.name, `${path}.name`);
  const address = validateAddress(c, m.address, `${path}.address`);
  const given = (v: RawMap[string] | undefined): boolean => v !== undefined && v !== null;
  const country = validateCountry(c, m.country, `${path}.country`);
  const vatId = validateVatId(c, m.vat_id, `${path}.vat_id`);
  // A field given but malformed makes the block invalid (its problem is already recorded), so
  // nothing downstream reports it again as missing (reverse_charge "without vat_id").
  if (name === undefined || address === undefined || (given(m.country) && country === undefined) || (given(m.vat_id) && vatId === undefined)) return undefined;
  return { name, address, ...(country !== undefined ? { country } : {}), ...(vatId !== undefined ? { vatId } : {}) };
}

/** A customer's `billing:` block. */
export function validateBilling(c: Checker, raw: RawMap[string] | undefined, path: string): BillingDetails | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, ['name', 'address', 'country', 'vat_id', 'email']);
  const party = validateParty(c, m, path);
  const email = c.string(m.email, `${path}.email`, false);
  if (email !== undefined && !EMAIL.test(email)) c.add(`${path}.email`, `must be an e-mail address (got ${JSON.stringify(email)})`);
  if (!party || (email !== undefined && !EMAIL.test(email))) return undefined;
  return { ...party, ...(email !== undefined ? { email } : {}) };
}
