// Encodes and decodes meterline's Kafka records (avro/*.avsc) with avsc. Two framings (see
// framing.ts): Confluent wire format through a Schema Registry when SCHEMA_REGISTRY_URL is set,
// Avro single-object encoding otherwise. Decoding accepts both and resolves whatever known
// writer schema to the current reader schema (Avro schema resolution), so a record written by
// an older or newer compatible version reads as the current shape.
import type avro from 'avsc';
import { MeterlineError } from '../lib/errors.js';
import { confluentHead, frameConfluent, frameSingleObject, parseFrame, singleObjectHead } from './framing.js';
import { currentSchema, versionsOf, schemaVersion, type SchemaKind } from './schemas.js';
import { SampleReader, type CheckedSampleRecord } from './sample-reader.js';

/** The part of a Schema Registry client meterline uses (the Confluent client satisfies it). */
export interface RegistryClient {
  register(subject: string, schema: { schemaType: string; schema: string }, normalize: boolean): Promise<number>;
  getBySubjectAndId(subject: string, id: number): Promise<{ schema: string; schemaType?: string }>;
}

export interface AvroSerde {
  /** `confluent` with a registry, else `single-object`: how encode frames records. */
  readonly format: 'confluent' | 'single-object';
  /** Encode a record (the Avro shape of `kind`) for a topic. */
  encode(kind: SchemaKind, topic: string, record: unknown): Promise<Buffer>;
  /** Decode a record value into the current schema's shape. Throws a `validation` error on bad bytes. */
  decode(kind: SchemaKind, topic: string, value: Buffer): Promise<unknown>;
  /**
   * The frame `encode` puts before the Avro body of `kind` records for a topic (the registry's
   * schema id, or the fingerprint): for writers that encode many records without an await each
   * (rollup-writer.ts). Optional: a serde without it is used through `encode`.
   */
  head?(kind: SchemaKind, topic: string): Promise<Buffer>;
  /**
   * A sample record read synchronously by the hand reader (sample-reader.ts), or undefined where
   * it declines: then `decode` gives the full path's answer. For what it accepts, it is exactly
   * what `decode` resolves to, without a promise per record. Optional, like `head`.
   */
  readSample?(topic: string, value: Buffer): CheckedSampleRecord | undefined;
}

/** Confluent's TopicNameStrategy: the subject of a topic's record values. */
export const valueSubject = (topic: string): string => `${topic}-value`;

/** avsc's Avro body of a record; a `validation` error naming the invalid fields. */
export function encodeBody(kind: SchemaKind, record: unknown): Buffer {
  const { type } = currentSchema(kind);
  try {
    return type.toBuffer(record);
  } catch (err) {
    const paths: string[] = [];
    type.isValid(record, { errorHook: (path: string[]) => paths.push(path.join('.') || '(record)') });
    throw new MeterlineError('validation', `cannot encode ${kind} record: invalid field(s) ${paths.join(', ') || '?'}`, { cause: err });
  }
}

function decodeBody(kind: SchemaKind, writer: avro.Type, body: Buffer, what: string): unknown {
  const reader = currentSchema(kind).type;
  try {
    if (writer === reader) return reader.fromBuffer(body);
    return reader.fromBuffer(body, reader.createResolver(writer));
  } catch (err) {
    throw new MeterlineError('validation', `cannot decode ${kind} record (${what}): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * True when `value` is framed as single-object encoding with the current schema of `kind`
 * (compared byte by byte: no Frame object, no subarray per record).
 */
function currentSingleObject(kind: SchemaKind, value: Buffer): boolean {
  if (value.length < 10 || value[0] !== 0xc3 || value[1] !== 0x01) return false;
  const fp = currentSchema(kind).fingerprint;
  for (let i = 0; i < 8; i++) if (value[2 + i] !== fp[i]) return false;
  return true;
}

function singleObjectWriter(kind: SchemaKind, fingerprint: Buffer): avro.Type {
  const known = versionsOf(kind).find((v) => v.fingerprint.equals(fingerprint));
  if (!known) {
    throw new MeterlineError(
      'validation',
      `${kind} record written with unknown schema fingerprint ${fingerprint.toString('hex')} (not a version in avro/; upgrade meterline or publish with its schema)`,
    );
  }
  return known.type;
}

/** Plain Avro, single-object encoding: no registry needed. */
export function plainSerde(): AvroSerde {
  const samples = new SampleReader();
  const readSample = (value: Buffer): CheckedSampleRecord | undefined =>
    currentSingleObject('sample', value) ? samples.read(value, 10) : undefined;
  return {
    format: 'single-object',
    readSample: (_topic, value) => readSample(value),
    async encode(kind, _topic, record) {
      return frameSingleObject(currentSchema(kind).fingerprint, encodeBody(kind, record));
    },
    async head(kind) {
      return singleObjectHead(currentSchema(kind).fingerprint);
    },
    async decode(kind, _topic, value) {
      // Samples in the current schema: read by hand when the reader is sure (sample-reader.ts).
      if (kind === 'sample') {
        const read = readSample(value);
        if (read !== undefined) return read;
      }
      const frame = parseFrame(value);
      if (frame.format === 'confluent') {
        throw new MeterlineError(
          'validation',
          `${kind} record is in Confluent wire format (schema id ${frame.schemaId}) but SCHEMA_REGISTRY_URL is not set`,
        );
      }
      return decodeBody(kind, singleObjectWriter(kind, frame.fingerprint), frame.body, `fingerprint ${frame.fingerprint.toString('hex')}`);
    },
  };
}

/** Confluent wire format through a Schema Registry; reads single-object records too. */
export function registrySerde(client: RegistryClient): AvroSerde {
  const ids = new Map<string, Promise<number>>(); // subject → schema id of the current version
  const writers = new Map<string, Promise<avro.Type>>(); // `${subject}#${id}` → writer type
  /** Per topic, the schema ids that are the current sample schema: those records may be read by hand. */
  const currentSampleIds = new Map<string, Set<number>>();
  const samples = new SampleReader();
  /** By hand: current-schema samples (single-object, or a schema id already seen to be the current schema). */
  const readSample = (topic: string, value: Buffer): CheckedSampleRecord | undefined => {
    if (value.length >= 5 && value[0] === 0)
      return currentSampleIds.get(topic)?.has(value.readUInt32BE(1)) === true ? samples.read(value, 5) : undefined;
    return currentSingleObject('sample', value) ? samples.read(value, 10) : undefined;
  };

  const idFor = (kind: SchemaKind, topic: string): Promise<number> => {
    const subject = valueSubject(topic);
    let id = ids.get(subject);
    if (!id) {
      id = client.register(subject, { schemaType: 'AVRO', schema: currentSchema(kind).text }, false);
      // A failed registration is retried on the next record, not cached.
      id.catch(() => ids.delete(subject));
      ids.set(subject, id);
    }
    return id;
  };

  const writerFor = (kind: SchemaKind, topic: string, schemaId: number): Promise<avro.Type> => {
    const subject = valueSubject(topic);
    const key = `${subject}#${schemaId}`;
    let writer = writers.get(key);
    if (!writer) {
      writer = client.getBySubjectAndId(subject, schemaId).then((info) => {
        const ours = versionsOf(kind).find((v) => v.text === info.schema || v.canonical === info.schema);
        return ours ? ours.type : schemaVersion(kind, 0, info.schema).type;
      });
      writer.catch(() => writers.delete(key));
      writers.set(key, writer);
    }
    return writer;
  };

  const registeredId = async (kind: SchemaKind, topic: string): Promise<number> => {
    try {
      return await idFor(kind, topic);
    } catch (err) {
      throw new MeterlineError('unavailable', `Schema Registry: cannot register ${valueSubject(topic)}: ${(err as Error).message}`, { cause: err });
    }
  };

  return {
    format: 'confluent',
    readSample,
    async encode(kind, topic, record) {
      const body = encodeBody(kind, record);
      return frameConfluent(await registeredId(kind, topic), body);
    },
    async head(kind, topic) {
      return confluentHead(await registeredId(kind, topic));
    },
    async decode(kind, topic, value) {
      if (kind === 'sample') {
        const read = readSample(topic, value);
        if (read !== undefined) return read;
      }
      const frame = parseFrame(value);
      if (frame.format === 'single-object') {
        return decodeBody(kind, singleObjectWriter(kind, frame.fingerprint), frame.body, `fingerprint ${frame.fingerprint.toString('hex')}`);
      }
      let writer: avro.Type;
      try {
        writer = await writerFor(kind, topic, frame.schemaId);
      } catch (err) {
        // 404: the id is not in this registry, so the record is bad (DLQ); anything else may pass.
        const kindOf = (err as { status?: number }).status === 404 ? 'validation' : 'unavailable';
        throw new MeterlineError(kindOf, `Schema Registry: cannot fetch schema id ${frame.schemaId}: ${(err as Error).message}`, { cause: err });
      }
      if (kind === 'sample' && writer === currentSchema(kind).type) {
        const ids = currentSampleIds.get(topic) ?? new Set<number>();
        ids.add(frame.schemaId);
        currentSampleIds.set(topic, ids);
      }
      return decodeBody(kind, writer, frame.body, `schema id ${frame.schemaId}`);
    },
  };
}
