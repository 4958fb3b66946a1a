// CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification defines for schemas
// ("Schema Fingerprints"), computed over a schema's Parsing Canonical Form. It is what Avro's
// single-object encoding carries, so any Avro implementation (Java's
// SchemaNormalization.parsingFingerprint64, fastavro, …) computes the same 8 bytes.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = (() => {
  const t: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    t.push(fp);
  }
  return t;
})();

/** The fingerprint as an unsigned 64-bit integer. */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint);
  return fp;
}

/** The fingerprint as the 8 little-endian bytes single-object encoding writes. */
export function fingerprintBytes(canonicalForm: string): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc64Avro(Buffer.from(canonicalForm, 'utf8')));
  return out;
}
