// Values that take every branch of a hand Avro writer, shared by the writers' tests
// (rollup-writer.test.ts, sample-writer.test.ts): each is compared with avsc's bytes.

// Strings of every kind the encoder treats differently: empty, ASCII around the varint and
// avsc's 64-byte boundaries, 2-, 3- and 4-byte UTF-8, lone surrogates (avsc writes them raw
// when short, as U+FFFD when long), and long ones.
export const PIECES = ['', 'a', 'srv-0001', 'é', 'ü', '€', '日本', '😀', '\ud800', '\udfff', 'x\ud83dy', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff'];
export function text(r: () => number): string {
  const shape = r();
  if (shape < 0.3) return PIECES[Math.floor(r() * PIECES.length)] as string;
  const target = shape < 0.6 ? Math.floor(r() * 70) : shape < 0.9 ? 55 + Math.floor(r() * 20) : Math.floor(r() * 20_000);
  let s = '';
  while (s.length < target) s += r() < 0.85 ? String.fromCharCode(32 + Math.floor(r() * 95)) : (PIECES[Math.floor(r() * PIECES.length)] as string);
  return s;
}

/** Numbers around every varint byte boundary, avsc's integer/float switch at ±2^30, and its safe-long limit. */
export function long(r: () => number): number {
  const edges = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 3, 9007199254740990, -9007199254740990, Date.UTC(2026, 9, 1)];
  const k = r();
  if (k < 0.4) return edges[Math.floor(r() * edges.length)] as number;
  const n = Math.floor(r() * 2 ** Math.floor(r() * 53));
  return k < 0.7 ? n : -n;
}
