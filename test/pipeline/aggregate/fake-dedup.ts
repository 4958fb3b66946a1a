// A SampleDedup for tests that are not about dedup: `claim` as given, and a Redis that never
// loses claims (the mark is always past any checkpoint, so a restore rebuilds nothing).
import type { SampleDedup } from '../../../pipeline/aggregate/dedup.js';

export const lossless = (claim: SampleDedup['claim']): SampleDedup => ({
  claim,
  horizonMs: 60_000,
  restoring: async () => BigInt(Number.MAX_SAFE_INTEGER),
  rebuild: async () => undefined,
});

/** Every claim counts. */
export const countAll = (): SampleDedup => lossless(async (claims) => claims.map(() => true));

/** Redis claims' semantics in memory (dedup.ts): first sighting or the same record counts. */
export function memoryDedup(): SampleDedup {
  const seen = new Map<string, string>();
  return lossless(async (claims) =>
    claims.map((c) => {
      const me = `${c.partition}:${c.offset}`;
      const prev = seen.get(c.id);
      if (prev === undefined) seen.set(c.id, me);
      return prev === undefined || prev === me;
    }),
  );
}
