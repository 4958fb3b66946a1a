// Loads a catalogue file (YAML or JSON): reads the bytes once, hashes them (the version of
// plans and meters, SPEC §10), parses and validates. A bad catalogue is rejected as a whole,
// with every problem listed by path.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MeterlineError, ValidationError } from '../lib/errors.js';
import { readRaw } from './raw.js';
import type { Catalog } from './types.js';
import { validateCatalog } from './validate.js';

/** Parse and validate catalogue bytes; throws ValidationError naming every problem. */
export function parseCatalog(bytes: Uint8Array | string, what = 'catalogue'): Catalog {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const contentHash = createHash('sha256').update(buf).digest('hex');
  const raw = readRaw(buf.toString('utf8'));
  if (!raw.ok) throw new ValidationError(`${what} is not valid YAML/JSON`, raw.problems);
  const result = validateCatalog(raw.value, contentHash);
  if (!result.ok) throw new ValidationError(`${what} has ${result.problems.length} problem(s)`, result.problems);
  return result.catalog;
}

export async function loadCatalog(file: string): Promise<Catalog> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new MeterlineError('config', `cannot read catalogue ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseCatalog(bytes, `catalogue ${file}`);
}
