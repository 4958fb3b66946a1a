// The plugin performance-data format (SPEC §7, Nagios plugin guidelines):
//   'label'=value[UOM];[warn];[crit];[min];[max]  'other label'=…
// Data are separated by whitespace. A quoted label may hold spaces and `=`; `''` inside it is
// one quote. An unquoted label runs from the end of the previous datum to the next `=`, so it
// may contain spaces (`disk usage=50%`): a value never contains whitespace, so the text between
// one datum's value and the next `=` can only be the next label. `U` is an unknown value and
// yields no metric. Values and thresholds are scaled to base units with exact decimals.
import { lookupUnit, scale, type Unit } from './units.js';
import { MAX_EXPONENT, exponentTooLarge, parseRange, readNumber, type NumberToken, type Range } from './range.js';

export interface PerfValue {
  /** The label exactly as written, unquoted (`''` → `'`). */
  label: string;
  /** Base-unit decimal string ("1536" for 1.5KB); null for `U` (unknown). */
  value: string | null;
  /** The unit of measure as written ("" when none). */
  uom: string;
  /** `c`: a continuous counter. */
  counter: boolean;
  warn?: Range;
  crit?: Range;
  min?: string;
  max?: string;
}

export type PerfdataResult = { ok: true; values: PerfValue[] } | { ok: false; reason: string };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

type LabelResult = { ok: true; label: string; next: number } | { ok: false; reason: string };

/** Reads a label starting at `pos` (not whitespace); `next` is the index after its `=`. */
function readLabel(text: string, pos: number): LabelResult {
  if (text[pos] === "'") {
    let label = '';
    let i = pos + 1;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) return { ok: false, reason: `unterminated quoted label at ${JSON.stringify(text.slice(pos))}` };
      label += text.slice(i, q);
      if (text[q + 1] === "'") {
        label += "'";
        i = q + 2;
        continue;
      }
      if (text[q + 1] !== '=') return { ok: false, reason: `expected '=' after the quoted label '${label}'` };
      if (label.length === 0) return { ok: false, reason: 'empty label' };
      return { ok: true, label, next: q + 2 };
    }
  }
  const eq = text.indexOf('=', pos);
  if (eq < 0) return { ok: false, reason: `text without a '=' value: ${JSON.stringify(text.slice(pos))}` };
  // Spaces before `=` belong to no label anyone means; trailing ones are dropped.
  const label = text.slice(pos, eq).trimEnd();
  if (label.length === 0) return { ok: false, reason: `empty label before ${JSON.stringify(text.slice(eq))}` };
  return { ok: true, label, next: eq + 1 };
}

type ValueResult = { ok: true; value: PerfValue } | { ok: false; reason: string };

/** Parses `value[UOM];warn;crit;min;max` for one label. */
export function parseDatum(label: string, token: string): ValueResult {
  const fields = token.split(';');
  // Some plugins end the datum with a stray ';' after max: empty extra fields are harmless.
  while (fields.length > 5 && fields[fields.length - 1] === '') fields.pop();
  if (fields.length > 5) return { ok: false, reason: `'${label}': more than 5 ';'-separated fields in ${JSON.stringify(token)}` };
  const [raw = '', warn = '', crit = '', min = '', max = ''] = fields;
  if (raw === '') return { ok: false, reason: `'${label}': empty value` };
  let value: string | null = null;
  let uom = '';
  let u: Unit | undefined = lookupUnit('');
  if (raw === 'U') {
    // Unknown: no metric. The thresholds that may follow are unitless here.
  } else {
    if (exponentTooLarge(raw)) return { ok: false, reason: `'${label}': value ${JSON.stringify(raw)} has an exponent beyond ±${MAX_EXPONENT}` };
    const n = readNumber(raw);
    // A unit is letters or %; anything else after the digits ("1,234.5", "5..") is a bad number.
    if (!n || !/^[A-Za-z%]*$/.test(n.rest)) return { ok: false, reason: `'${label}': value ${JSON.stringify(raw)} is not a number` };
    uom = n.rest;
    u = lookupUnit(uom);
    if (!u) return { ok: false, reason: `'${label}': unknown unit of measure ${JSON.stringify(uom)}` };
    value = scale(n.value, u);
  }
  const unitOf = u as Unit;
  // A threshold or bound may repeat the value's own unit (`80%`), nothing else.
  const convert = (n: NumberToken): string | undefined =>
    n.rest === '' || n.rest === uom ? scale(n.value, unitOf) : undefined;
  const out: PerfValue = { label, value, uom, counter: unitOf.counter };
  for (const [name, text] of [['warn', warn], ['crit', crit]] as const) {
    if (text === '') continue;
    const r = parseRange(text, convert);
    if (!r.ok) return { ok: false, reason: `'${label}': ${name} ${r.reason}` };
    out[name] = r.range;
  }
  for (const [name, text] of [['min', min], ['max', max]] as const) {
    if (text === '' || text === 'U') continue;
    const n = readNumber(text);
    const v = n ? convert(n) : undefined;
    if (v === undefined) return { ok: false, reason: `'${label}': ${name} ${JSON.stringify(text)} is not a number` };
    out[name] = v;
  }
  return { ok: true, value: out };
}

/**
 * Parses a whole performance-data string. All or nothing: one bad datum rejects the string,
 * because a sample's id is fixed by host, service and time, so a partly taken line could
 * never be completed by re-sending it corrected.
 */
export function parsePerfdata(text: string): PerfdataResult {
  const values: PerfValue[] = [];
  const seen = new Set<string>();
  let pos = 0;
  for (;;) {
    while (isSpace(text[pos])) pos++;
    if (pos >= text.length) break;
    const l = readLabel(text, pos);
    if (!l.ok) return l;
    let end = l.next;
    while (end < text.length && !isSpace(text[end])) end++;
    const d = parseDatum(l.label, text.slice(l.next, end));
    if (!d.ok) return d;
    if (seen.has(l.label)) return { ok: false, reason: `label '${l.label}' appears twice` };
    seen.add(l.label);
    values.push(d.value);
    pos = end;
  }
  return { ok: true, values };
}
