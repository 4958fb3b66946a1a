// How an Avro record is framed on Kafka, so a reader knows which schema wrote it.
// - Confluent wire format (when a Schema Registry is configured): byte 0x00, the schema id as
//   4 bytes big-endian, then the Avro binary body.
// - Avro single-object encoding (no registry): bytes 0xC3 0x01, the writer schema's CRC-64-AVRO
//   fingerprint as 8 bytes little-endian, then the Avro binary body. This is the Avro
//   specification's own framing, so any Avro library can produce it without meterline code.
// The first byte tells the two apart, so readers accept both whatever they are configured for.
import { MeterlineError } from '../lib/errors.js';

export const CONFLUENT_MAGIC = 0x00;
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);

export type Frame =
  | { format: 'confluent'; schemaId: number; body: Buffer }
  | { format: 'single-object'; fingerprint: Buffer; body: Buffer };

/** The bytes before the Avro body in Confluent wire format. */
export const confluentHead = (schemaId: number): Buffer => {
  const head = Buffer.alloc(5);
  head[0] = CONFLUENT_MAGIC;
  head.writeUInt32BE(schemaId, 1);
  return head;
};

/** The bytes before the Avro body in single-object encoding. */
export const singleObjectHead = (fingerprint: Buffer): Buffer => Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprint]);

export const frameConfluent = (schemaId: number, body: Buffer): Buffer => Buffer.concat([confluentHead(schemaId), body]);

export const frameSingleObject = (fingerprint: Buffer, body: Buffer): Buffer =>
  Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprint, body]);

/** Split a Kafka record value into its framing and Avro body; throws a validation error naming the bytes. */
export function parseFrame(buf: Buffer): Frame {
  if (buf.length >= 5 && buf[0] === CONFLUENT_MAGIC) {
    return { format: 'confluent', schemaId: buf.readUInt32BE(1), body: buf.subarray(5) };
  }
  if (buf.length >= 10 && buf[0] === 0xc3 && buf[1] === 0x01) {
    return { format: 'single-object', fingerprint: buf.subarray(2, 10), body: buf.subarray(10) };
  }
  const head = buf.subarray(0, 4).toString('hex') || '(empty)';
  throw new MeterlineError(
    'validation',
    `not an Avro record meterline can read: expected Confluent wire format (0x00 + schema id) or Avro single-object encoding (0xc301 + fingerprint), got bytes ${head}…`,
  );
}
