// The first 16 bytes of SHA-256(UTF-8 of a sample id), written straight into a caller's buffer:
// the dedup key's hash (dedup.ts). Ids of at most 55 ASCII characters (a message that fits one
// SHA-256 block: every id the pipeline's own generators make, UUIDs, most producers') are hashed
// here in JavaScript; anything else goes to node:crypto.
//
// Why not always node:crypto: the aggregate role makes one key per input sample, and the
// one-shot `hash` cost ≈ 0.9 µs a call (argument checks, a native call, a Buffer for the digest,
// then a copy into the key) against ≈ 0.4 µs for one block compressed here with nothing
// allocated. The bytes are SHA-256's (FIPS 180-4): test/pipeline/aggregate/id-digest.test.ts
// compares them with node:crypto over ids of every length around the block boundary.
import { hash } from 'node:crypto';

/** Bytes of the digest kept: the dedup key's hash part. */
export const DIGEST_BYTES = 16;

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// §5.3.3: the initial hash value.
const H0 = 0x6a09e667 | 0;
const H1 = 0xbb67ae85 | 0;
const H2 = 0x3c6ef372 | 0;
const H3 = 0xa54ff53a | 0;
const H4 = 0x510e527f | 0;
const H5 = 0x9b05688c | 0;
const H6 = 0x1f83d9ab | 0;
const H7 = 0x5be0cd19 | 0;

/** The message schedule (one block); module state: hashing is synchronous. */
const W = new Int32Array(64);

/** Longest message of one block: 64 bytes less the 0x80 pad byte and the 8-byte length. */
const ONE_BLOCK = 55;

/** Writes the first DIGEST_BYTES of SHA-256(utf8(id)) into `out` at `at`. */
export function digestInto(id: string, out: Uint8Array, at: number): void {
  if (!oneBlock(id)) {
    const d = hash('sha256', id, 'buffer');
    for (let i = 0; i < DIGEST_BYTES; i++) out[at + i] = d[i] as number;
    return;
  }
  let a = H0, b = H1, c = H2, d = H3, e = H4, f = H5, g = H6, h = H7;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  // Only H0..H3 are kept: 16 bytes, big-endian.
  put(out, at, a + H0);
  put(out, at + 4, b + H1);
  put(out, at + 8, c + H2);
  put(out, at + 12, d + H3);
}

/** Loads `id` as one padded block into W and expands the schedule; false when it does not fit (or is not ASCII). */
function oneBlock(id: string): boolean {
  const n = id.length;
  if (n > ONE_BLOCK) return false;
  W.fill(0, 0, 16);
  for (let i = 0; i < n; i++) {
    const ch = id.charCodeAt(i);
    if (ch >= 0x80) return false; // UTF-8 of more than one byte: node:crypto encodes it
    W[i >> 2] = (W[i >> 2] as number) | (ch << (24 - 8 * (i & 3)));
  }
  W[n >> 2] = (W[n >> 2] as number) | (0x80 << (24 - 8 * (n & 3)));
  W[15] = n * 8; // the length in bits (< 2^32 here)
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number;
    const w2 = W[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  return true;
}

function put(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}
