// The body of POST /v1/invoices/:id/credit-notes (SPEC §12.4), checked on its own before any
// invoice is read: {"reason","lines":[{"n","amount"}]} or {"reason","full":true}. Every problem
// is named by its path (`lines[1].amount`). Amounts are decimal strings with at most the
// currency's minor digits — a JSON number is refused, money never passes through a double.
import { Decimal } from '../lib/decimal.js';
import { ValidationError, type Problem } from '../lib/errors.js';
import { parseJsonExact, showJson } from '../lib/json-exact.js';
import { NumberText } from '../lib/number-text.js';

export interface CreditLineRequest {
  n: number;
  amount: Decimal;
}

export type CreditNoteRequest =
  | { reason: string; full: true; customer?: string }
  | { reason: string; full?: false; lines: CreditLineRequest[]; customer?: string };

const FIELDS = new Set(['reason', 'lines', 'full', 'customer']);
const LINE_FIELDS = new Set(['n', 'amount']);
const AMOUNT = /^\d+(\.(\d+))?$/;
export const MAX_REASON_LENGTH = 1000;
const MAX_LINES = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText);

/** A line number from its text (the body is read number-exact: 1.0000000000000001 is not line 1). */
const lineNumber = (v: unknown): number | undefined => (v instanceof NumberText && /^[1-9]\d{0,8}$/.test(v.text) ? Number(v.text) : undefined);

function lineOf(raw: unknown, path: string, minorDigits: number, problems: Problem[]): CreditLineRequest | undefined {
  if (!isObject(raw)) {
    problems.push({ path, message: 'must be an object {"n": <line number>, "amount": "<decimal>"}' });
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!LINE_FIELDS.has(k)) problems.push({ path: `${path}.${k}`, message: 'unknown field (a line has n and amount)' });
  const { amount } = raw;
  const n = lineNumber(raw.n);
  const before = problems.length;
  if (raw.n === undefined) problems.push({ path: `${path}.n`, message: 'required: the number of the invoice line to credit (from 1)' });
  else if (n === undefined) problems.push({ path: `${path}.n`, message: `must be a line number from 1, not ${showJson(raw.n)}` });
  if (amount === undefined) problems.push({ path: `${path}.amount`, message: 'required: the amount to credit, a decimal string such as "10.00"' });
  else if (typeof amount !== 'string') problems.push({ path: `${path}.amount`, message: `must be a decimal string such as "10.00" (exact), not ${showJson(amount)}` });
  else {
    const m = AMOUNT.exec(amount);
    if (!m) problems.push({ path: `${path}.amount`, message: `must be a positive decimal string such as "10.00", not ${JSON.stringify(amount)}` });
    else if ((m[2]?.length ?? 0) > minorDigits) problems.push({ path: `${path}.amount`, message: `${amount} has more than the currency's ${minorDigits} minor digits` });
    else if (new Decimal(amount).lte(0)) problems.push({ path: `${path}.amount`, message: `must be greater than zero, not ${amount}` });
  }
  return problems.length === before ? { n: n as number, amount: new Decimal(amount as string) } : undefined;
}

/** Parses and checks the request body; throws a ValidationError (422) listing every problem. */
export function parseCreditNoteRequest(text: string, minorDigits: number): CreditNoteRequest {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch (err) {
    throw new ValidationError('credit note request', [{ path: '(body)', message: `not valid JSON (${(err as Error).message})` }]);
  }
  if (!isObject(body)) {
    throw new ValidationError('credit note request', [{ path: '(body)', message: 'must be a JSON object {"reason", "lines": [{"n", "amount"}]} or {"reason", "full": true}' }]);
  }
  const problems: Problem[] = [];
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) problems.push({ path: k, message: 'unknown field (expected reason, and lines or full)' });
  const { reason, lines, full, customer } = body;
  if (reason === undefined) problems.push({ path: 'reason', message: 'required: why the invoice is credited' });
  else if (typeof reason !== 'string' || reason.trim() === '') problems.push({ path: 'reason', message: 'must be a non-empty string' });
  else if (reason.length > MAX_REASON_LENGTH) problems.push({ path: 'reason', message: `must be at most ${MAX_REASON_LENGTH} characters` });
  if (customer !== undefined && (typeof customer !== 'string' || customer === '')) problems.push({ path: 'customer', message: 'must be a customer id (a non-empty string) when given' });
  if (full !== undefined && full !== true && full !== false) problems.push({ path: 'full', message: 'must be true (credit everything that remains) when given' });

  const parsed: CreditLineRequest[] = [];
  if (full === true && lines !== undefined) problems.push({ path: 'lines', message: 'give either lines or full: true, not both' });
  else if (full !== true && lines === undefined) problems.push({ path: 'lines', message: 'required unless "full": true: the lines to credit, [{"n", "amount"}]' });
  else if (lines !== undefined) {
    if (!Array.isArray(lines) || lines.length === 0) problems.push({ path: 'lines', message: 'must be a non-empty array of {"n", "amount"}' });
    else if (lines.length > MAX_LINES) problems.push({ path: 'lines', message: `at most ${MAX_LINES} lines` });
    else {
      const seen = new Map<number, number>();
      lines.forEach((raw, i) => {
        const l = lineOf(raw, `lines[${i}]`, minorDigits, problems);
        if (!l) return;
        const first = seen.get(l.n);
        if (first !== undefined) problems.push({ path: `lines[${i}].n`, message: `line ${l.n} is already credited by lines[${first}]; name each line once` });
        else seen.set(l.n, i);
        parsed.push(l);
      });
    }
  }
  if (problems.length > 0) throw new ValidationError('credit note request', problems);
  const who = typeof customer === 'string' ? { customer } : {};
  return full === true ? { reason: reason as string, full: true, ...who } : { reason: reason as string, lines: parsed, ...who };
}
