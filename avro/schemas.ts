// The Avro schemas of meterline's Kafka records, loaded once from the .avsc files beside this
// module (the files are the contract agents and other tools read). Each kind lists every
// version it has ever had, newest first: readers resolve any known writer version to the
// newest (Avro schema resolution), so an added optional field never breaks old records.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { fingerprintBytes } from './fingerprint.js';

export type SchemaKind = 'sample' | 'rollup' | 'dlq' | 'document';

export interface SchemaVersion {
  kind: SchemaKind;
  version: number;
  type: avro.Type;
  /** Schema text as registered in a Schema Registry (the full .avsc, with docs and defaults). */
  text: string;
  /** Parsing Canonical Form (the spec's normalisation: what fingerprints are taken over). */
  canonical: string;
  /** CRC-64-AVRO of the canonical form, 8 bytes little-endian (single-object encoding). */
  fingerprint: Buffer;
}

/** Current file of each kind; older versions would live in avro/history/<kind>.v<N>.avsc. */
const FILES: Record<SchemaKind, { file: string; version: number }[]> = {
  sample: [{ file: 'sample.avsc', version: 1 }],
  rollup: [{ file: 'rollup-part.avsc', version: 1 }],
  dlq: [{ file: 'dead-letter.avsc', version: 1 }],
  document: [{ file: 'billing-document.avsc', version: 1 }],
};

function readSchemaFile(file: string): string {
  // Beside this module in a checkout; from dist/avro/ the .avsc files are two levels up.
  for (const rel of [`./${file}`, `../../avro/${file}`]) {
    try {
      return readFileSync(new URL(rel, import.meta.url), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`Avro schema file avro/${file} not found`);
}

/** Build a version from schema text (also used by tests for hypothetical next versions). */
export function schemaVersion(kind: SchemaKind, version: number, text: string): SchemaVersion {
  const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  const canonical = JSON.stringify(type.schema());
  return { kind, version, type, text, canonical, fingerprint: fingerprintBytes(canonical) };
}

const cache = new Map<SchemaKind, SchemaVersion[]>();

/** Every known version of a kind, newest first. */
export function versionsOf(kind: SchemaKind): SchemaVersion[] {
  let list = cache.get(kind);
  if (!list) {
    list = FILES[kind].map(({ file, version }) => schemaVersion(kind, version, readSchemaFile(file)));
    list.sort((a, b) => b.version - a.version);
    cache.set(kind, list);
  }
  return list;
}

/** The newest version: what meterline writes and reads into. */
export const currentSchema = (kind: SchemaKind): SchemaVersion => versionsOf(kind)[0] as SchemaVersion;
