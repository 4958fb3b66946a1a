// Validation of invoice and credit-note number formats (SPEC §12.1, §12.3): literal text with
// `{YYYY}` (the year of the period) and exactly one `{SEQ}` or `{SEQ:n}` (the sequence,
// zero-padded to n digits). Anything else in braces is refused, so every accepted format prints.

const PLACEHOLDER = /\{([^{}]*)\}/g;
const SEQ = /^SEQ(?::(\d{1,2}))?$/;
const MAX_PAD = 18;

/** Every problem of a format, as messages (empty = valid). */
export function numberFormatProblems(format: string): string[] {
  const problems: string[] = [];
  let seqs = 0;
  for (const m of format.matchAll(PLACEHOLDER)) {
    const inner = m[1] ?? '';
    const seq = SEQ.exec(inner);
    if (seq) {
      seqs += 1;
      const pad = seq[1] === undefined ? 1 : Number(seq[1]);
      if (pad < 1 || pad > MAX_PAD) problems.push(`{SEQ:n} pads to 1 to ${MAX_PAD} digits (got {${inner}})`);
    } else if (inner !== 'YYYY') {
      problems.push(`unknown placeholder {${inner}} (expected {YYYY}, {SEQ} or {SEQ:n})`);
    }
  }
  if (/[{}]/.test(format.replace(PLACEHOLDER, ''))) problems.push('has an unmatched { or }');
  if (seqs === 0) problems.push('must contain the sequence placeholder {SEQ} or {SEQ:n}, e.g. "ML-{YYYY}-{SEQ:6}"');
  if (seqs > 1) problems.push('must contain {SEQ} only once');
  return problems;
}
