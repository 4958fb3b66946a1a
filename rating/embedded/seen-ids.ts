// Sample-id deduplication for `meterline bill` in bounded memory. A month of 5-minute samples
// for 1,000 servers is ~9M ids; a Set of the strings would take most of a gigabyte, so each id
// is kept as a 96-bit fingerprint in one open-addressing table (12 bytes a slot, ≤ 70 % full:
// ~150 MB for 9M ids). Two different ids are mistaken for one another only if all 96 bits
// agree: for 9M ids the chance that any pair does is about n²/2⁹⁷ ≈ 5·10⁻¹⁶ per run.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const LOAD = 0.7;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const fmix = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * The 96-bit fingerprint of `s`, written to out[at..at+2]: three independently seeded
 * multiply-rotate lanes over the UTF-16 code units, then a full avalanche that mixes the lanes
 * into each other. Exported so parse workers can hash the ids they parse (the main thread then
 * only probes the table). Never all zero: that marks an empty slot.
 */
export function fingerprintInto(s: string, out: Uint32Array, at: number): void {
  let h1 = 0x811c9dc5 ^ s.length;
  let h2 = 0x01000193;
  let h3 = 0x27d4eb2f;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = rotl(Math.imul(h1 ^ ch, P1), 13);
    h2 = rotl(Math.imul(h2 ^ ch, P2), 17);
    h3 = rotl(Math.imul(h3 ^ ch, P3), 11);
  }
  const a = fmix(h1 ^ Math.imul(h3, P2));
  const b = fmix(h2 ^ Math.imul(a, P3));
  let c = fmix(h3 ^ Math.imul(b, P1));
  if (a === 0 && b === 0 && c === 0) c = 1;
  out[at] = a;
  out[at + 1] = b;
  out[at + 2] = c;
}

export class SeenIdSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  /** Fingerprint of the id being looked up (no allocation per call). */
  private readonly fp = new Uint32Array(3);

  constructor(initialSlots = 1 << 16) {
    let slots = 1;
    while (slots < initialSlots) slots <<= 1;
    this.table = new Uint32Array(slots * 3);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** True the first time `id` is offered; false for a repeat. */
  add(id: string): boolean {
    fingerprintInto(id, this.fp, 0);
    return this.addFingerprint(this.fp[0]!, this.fp[1]!, this.fp[2]!);
  }

  /** `add` for an id whose fingerprint (fingerprintInto) was computed elsewhere. */
  addFingerprint(a: number, b: number, c: number): boolean {
    const t = this.table;
    let i = a & this.mask;
    for (;;) {
      const o = i * 3;
      const x = t[o]!;
      const y = t[o + 1]!;
      const z = t[o + 2]!;
      if (x === 0 && y === 0 && z === 0) break;
      if (x === a && y === b && z === c) return false;
      i = (i + 1) & this.mask;
    }
    const o = i * 3;
    t[o] = a;
    t[o + 1] = b;
    t[o + 2] = c;
    if (++this.count > (this.mask + 1) * LOAD) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const t = new Uint32Array(slots * 3);
    const mask = slots - 1;
    for (let o = 0; o < old.length; o += 3) {
      const a = old[o]!;
      const b = old[o + 1]!;
      const c = old[o + 2]!;
      if (a === 0 && b === 0 && c === 0) continue;
      let i = a & mask;
      while (t[i * 3] !== 0 || t[i * 3 + 1] !== 0 || t[i * 3 + 2] !== 0) i = (i + 1) & mask;
      t[i * 3] = a;
      t[i * 3 + 1] = b;
      t[i * 3 + 2] = c;
    }
    this.table = t;
    this.mask = mask;
  }
}
