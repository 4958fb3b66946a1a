// Credit note arithmetic (SPEC §12.4), pure: which invoice lines a request credits and by how
// much, and the credit note document. A line can be credited up to what remains of it after
// earlier credit notes. Only lines with a positive amount can be credited one by one; discount
// and SLA-credit lines (negative) are reversed only by a full credit note, which credits what
// remains of every line so the credit notes of an invoice never add up to more than it.
// Tax is recomputed on the credited base with the invoice's own tax line.
import { minorDigitsOf } from '../catalog/currencies.js';
import { ZERO, dec, formatFixed, type Decimal } from '../lib/decimal.js';
import { ValidationError, type Problem } from '../lib/errors.js';
import { taxAmount } from '../rating/tax.js';
import type { CreditNoteRequest } from './credit-note-request.js';
import type { LineJson } from './types.js';

/** What a credit note needs of the credited invoice; `lines[i]` is line n = i + 1. */
export interface CreditedInvoice {
  id: string;
  number: string | null;
  customer: string;
  currency: string;
  lines: readonly LineJson[];
}

/** A credited invoice line: what the credit takes off it, in the line's own sign. */
export interface CreditedLine {
  n: number;
  credited: Decimal;
}

export interface CreditLineJson {
  type: 'credit';
  n: number;
  amount: string;
}

export interface TaxLineJson {
  type: 'tax';
  code: string;
  rate: string;
  base: string;
  amount: string;
}

/** SPEC §12.4 form, exactly. */
export interface CreditNoteJson {
  id: string;
  type: 'credit_note';
  number: string;
  /** The credited invoice's number (null for an invoice finalized before numbering existed). */
  invoice: string | null;
  customer: string;
  currency: string;
  reason: string;
  lines: Array<CreditLineJson | TaxLineJson>;
  total_excluding_tax: string;
  tax_total: string;
  total: string;
}

const isTax = (l: LineJson): boolean => l.type === 'tax';


/** The lines `req` credits, checked against what remains of each; throws 422 naming the line. */
export function planCredit(inv: CreditedInvoice, creditedBefore: ReadonlyMap<number, Decimal>, req: CreditNoteRequest): CreditedLine[] {
  const remaining = (n: number): Decimal => dec(inv.lines[n - 1]!.amount).minus(creditedBefore.get(n) ?? ZERO);
  const money = (d: Decimal): string => formatFixed(d, minorDigitsOf(inv.currency) ?? 2);
  const fail = (problems: Problem[]): never => {
    throw new ValidationError(`credit note on invoice ${inv.number ?? inv.id}`, problems);
  };
  if (req.full === true) {
    const lines: CreditedLine[] = [];
    inv.lines.forEach((l, i) => {
      const r = remaining(i + 1);
      if (!isTax(l) && !r.isZero()) lines.push({ n: i + 1, credited: r });
    });
    const total = lines.reduce((s, l) => s.plus(l.credited), ZERO);
    if (lines.length === 0 || total.lte(0)) {
      fail([{ path: 'full', message: `nothing remains to credit on invoice ${inv.number ?? inv.id} (what remains totals ${money(total)})` }]);
    }
    return lines;
  }
  const problems: Problem[] = [];
  const out: CreditedLine[] = [];
  req.lines.forEach((want, i) => {
    const line = inv.lines[want.n - 1];
    if (!line) {
      problems.push({ path: `lines[${i}].n`, message: `invoice ${inv.number ?? inv.id} has no line ${want.n} (it has ${inv.lines.length})` });
    } else if (isTax(line)) {
      problems.push({ path: `lines[${i}].n`, message: `line ${want.n} is the tax line: tax is recomputed from the credited lines, not credited itself` });
    } else if (dec(line.amount).lte(0)) {
      problems.push({
        path: `lines[${i}].n`,
        message: `line ${want.n} is a ${line.type} line of ${line.amount}: only lines with a positive amount can be credited (a full credit note reverses discounts and credits)`,
      });
    } else if (want.amount.gt(remaining(want.n))) {
      problems.push({
        path: `lines[${i}].amount`,
        message: `${money(want.amount)} exceeds what remains of line ${want.n}: ${money(remaining(want.n))} of ${line.amount} after earlier credit notes`,
      });
    } else {
      out.push({ n: want.n, credited: want.amount });
    }
  });
  if (problems.length > 0) fail(problems);
  return out.sort((a, b) => a.n - b.n);
}

/** The invoice's tax as a credit note applies it: the invoice's tax line (none when exempt or untaxed). */
function taxOf(inv: CreditedInvoice): { code: string; rate: string } | undefined {
  const t = inv.lines.find(isTax);
  if (!t) return undefined;
  const code = String(t.code ?? '');
  return { code, rate: code === 'reverse_charge' ? '0' : String(t.rate ?? '0') };
}

/** The credit note of `lines` on `inv`, in SPEC §12.4 form. */
export function creditNoteDocument(
  head: { id: string; number: string; reason: string },
  inv: CreditedInvoice,
  lines: readonly CreditedLine[],
  minorDigits: number,
): CreditNoteJson {
  const money = (d: Decimal) => formatFixed(d, minorDigits);
  const base = lines.reduce((s, l) => s.minus(l.credited), ZERO); // negative: the credit note takes off
  const out: CreditNoteJson['lines'] = lines.map((l) => ({ type: 'credit', n: l.n, amount: money(l.credited.negated()) }));
  let taxTotal = ZERO;
  const tax = taxOf(inv);
  if (tax) {
    // The invoice's own rate on the credited base, rounded as every document's tax is.
    taxTotal = taxAmount(base, dec(tax.rate), minorDigits);
    out.push({ type: 'tax', code: tax.code, rate: tax.rate, base: money(base), amount: money(taxTotal) });
  }
  return {
    id: head.id,
    type: 'credit_note',
    number: head.number,
    invoice: inv.number,
    customer: inv.customer,
    currency: inv.currency,
    reason: head.reason,
    lines: out,
    total_excluding_tax: money(base),
    tax_total: money(taxTotal),
    total: money(base.plus(taxTotal)),
  };
}

