// `issuer:` and `taxes:` (SPEC §12.1). Both optional: without them invoices carry no tax and
// numbers use the default formats.
import { Decimal, ZERO } from '../lib/decimal.js';
import type { Checker } from './fields.js';
import { numberFormatProblems } from './number-format.js';
import type { RawValue } from './raw.js';
import { DEFAULT_CREDIT_NOTE_NUMBER, DEFAULT_INVOICE_NUMBER, TAX_EXEMPT, TAX_REVERSE_CHARGE, type Issuer, type TaxRate } from './types.js';
import { validateParty } from './validate-party.js';

const HUNDRED = new Decimal(100);

function numberFormat(c: Checker, v: RawValue | undefined, path: string, fallback: string): string | undefined {
  if (v === undefined || v === null) return fallback;
  const s = c.string(v, path);
  if (s === undefined) return undefined;
  const problems = numberFormatProblems(s);
  for (const p of problems) c.add(path, p);
  return problems.length === 0 ? s : undefined;
}

export function validateIssuer(c: Checker, raw: RawValue | undefined): Issuer | undefined {
  if (raw === undefined || raw === null) return undefined;
  const m = c.map(raw, 'issuer');
  if (!m) return undefined;
  c.keys(m, 'issuer', ['name', 'address', 'country', 'vat_id', 'invoice_number', 'credit_note_number']);
  const party = validateParty(c, m, 'issuer');
  const invoiceNumber = numberFormat(c, m.invoice_number, 'issuer.invoice_number', DEFAULT_INVOICE_NUMBER);
  const creditNoteNumber = numberFormat(c, m.credit_note_number, 'issuer.credit_note_number', DEFAULT_CREDIT_NOTE_NUMBER);
  if (!party || invoiceNumber === undefined || creditNoteNumber === undefined) return undefined;
  return { ...party, invoiceNumber, creditNoteNumber };
}

export function validateTaxes(c: Checker, raw: RawValue | undefined): Record<string, TaxRate> {
  const out: Record<string, TaxRate> = {};
  if (raw === undefined || raw === null) return out;
  const m = c.map(raw, 'taxes');
  if (!m) return out;
  for (const [code, value] of Object.entries(m)) {
    const path = `taxes.${code}`;
    // A customer's `tax:` names a key or one of these two words: a key spelled like them is ambiguous.
    if (code === TAX_EXEMPT || code === TAX_REVERSE_CHARGE) c.add(path, `"${code}" is reserved for customers' tax treatment; name the tax otherwise`);
    const t = c.map(value, path);
    if (!t) continue;
    c.keys(t, path, ['rate', 'name']);
    const rate = c.decimal(t.rate, `${path}.rate`, { kind: 'pricing', min: ZERO, max: HUNDRED });
    const name = t.name === undefined ? code : c.string(t.name, `${path}.name`);
    if (rate !== undefined && name !== undefined) out[code] = { code, rate, name };
  }
  return out;
}
