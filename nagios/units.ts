// Units of measure of Nagios performance data (plugin guidelines: none, s, ms, us, %, B, KB,
// MB, TB, c; SPEC §7 adds GB) and how each scales to the base unit the samples carry.
// Bytes use binary multiples (1 KB = 1024 B), the convention of the Nagios plugins.
import { Decimal, dec, formatPlain } from '../lib/decimal.js';

export interface Unit {
  /** Multiplier to the base unit (seconds, bytes, or the number itself). */
  factor: Decimal;
  /** `c`: a continuous counter (the meter reading it should be `kind: counter`). */
  counter: boolean;
}

const KIB = new Decimal(1024);
const unit = (factor: Decimal | string, counter = false): Unit => ({ factor: dec(factor), counter });

/** Units matched exactly as written. */
const EXACT: Record<string, Unit> = {
  '': unit('1'),
  s: unit('1'),
  ms: unit('0.001'),
  us: unit('0.000001'),
  '%': unit('1'),
  B: unit('1'),
  c: unit('1', true),
};

const BYTE_PREFIX: Record<string, number> = { K: 1, M: 2, G: 3, T: 4 };

/**
 * The unit for a UOM as a plugin wrote it, or undefined when unknown. Byte multiples are
 * matched without regard to case (check_nt writes `Gb`, others `kB` or `Mb`, all meaning
 * bytes) and in their IEC spelling (`KiB`…`TiB`); a lone `b`, `C` (Celsius?) or any other
 * unit is refused rather than guessed, because a wrong scale would bill the wrong amount.
 */
export function lookupUnit(uom: string): Unit | undefined {
  const exact = EXACT[uom];
  if (exact) return exact;
  const m = /^([kmgt])(i?)b$/i.exec(uom);
  if (!m) return undefined;
  if (m[2] === 'i' || m[2] === 'I') {
    // IEC spelling only in its usual form: "KiB", "MiB"… (any case of the prefix).
    if (!/^[kmgtKMGT]iB$/.test(uom)) return undefined;
  }
  const power = BYTE_PREFIX[(m[1] as string).toUpperCase()] as number;
  return unit(KIB.pow(power));
}

/** value × factor as a plain decimal string ("1536", "0.25"); exact, never a float. */
export const scale = (value: Decimal, u: Unit): string => formatPlain(value.times(u.factor));
