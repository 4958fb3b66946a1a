// Holding a producer to a rate: after `sent` samples, waits until the time they are due at
// `rate` per second since `startedMs` (performance.now()). Pacing is what a rate means, not
// synchronisation: nothing else could be awaited instead.

/** Resolves once `sent` samples at `rate` per second are due; at once when behind. */
export async function keepPace(sent: number, rate: number, startedMs: number): Promise<void> {
  const aheadMs = (sent / rate) * 1000 - (performance.now() - startedMs);
  if (aheadMs > 1) await new Promise((r) => setTimeout(r, aheadMs));
}
