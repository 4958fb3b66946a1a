// Document number formats (SPEC §12.1, §12.3): "ML-{YYYY}-{SEQ:6}" → "ML-2026-000042". Pure:
// the sequence itself lives in the database (db/numbers.ts). A format's prefix — the text with
// {YYYY} substituted and its {SEQ…} part removed — names the gapless sequence it draws from, so
// a format with {YYYY} restarts at 1 every year and two formats with one prefix share a sequence.
import { numberFormats, type Catalog } from '../catalog/types.js';
import { MeterlineError } from '../lib/errors.js';

const SEQ = /\{SEQ(?::(\d{1,2}))?\}/g;
const YEAR = /\{YYYY\}/g;

export interface NumberFormat {
  format: string;
  /** The sequence a document of `year` draws from. */
  prefix(year: number): string;
  /** The document number of sequence value `seq` (from 1) in `year`. */
  render(year: number, seq: bigint): string;
}

/** Parses a number format; one `{SEQ}` or `{SEQ:n}` (n = zero-padded width) is required. */
export function numberFormat(format: string): NumberFormat {
  const seqs = [...format.matchAll(SEQ)];
  if (seqs.length !== 1) {
    throw new MeterlineError('config', `number format ${JSON.stringify(format)}: needs exactly one {SEQ} or {SEQ:n}`);
  }
  const width = Number(seqs[0]![1] ?? '1');
  const withYear = (year: number) => format.replace(YEAR, String(year).padStart(4, '0'));
  return {
    format,
    prefix: (year) => withYear(year).replace(SEQ, ''),
    render: (year, seq) => withYear(year).replace(SEQ, seq.toString().padStart(width, '0')),
  };
}

export interface NumberFormats {
  invoice: NumberFormat;
  creditNote: NumberFormat;
}

/** The catalogue's number formats in force (the issuer's, else the SPEC defaults), parsed. */
export function numberFormatsOf(catalog: Pick<Catalog, 'issuer'>): NumberFormats {
  const f = numberFormats(catalog);
  return { invoice: numberFormat(f.invoice), creditNote: numberFormat(f.creditNote) };
}
