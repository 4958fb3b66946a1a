// A small in-memory helper for callers that dedup by sample id themselves (`meterline bill`;
// the aggregate role uses Redis instead). SPEC §4: a sample whose id was already counted is
// ignored for the dedup horizon after it was first seen. Pure: the caller passes the time.
export class SeenIds {
  /** id → time first seen; Map order is insertion order, so expiry pops from the front. */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly horizonMs: number = Number.POSITIVE_INFINITY) {}

  /**
   * True the first time `id` is offered (count it); false for a repeat within the horizon.
   * `atMs` must not decrease between calls (processing time, or event time of sorted input).
   */
  firstTime(id: string, atMs: number): boolean {
    this.expire(atMs);
    if (this.firstSeen.has(id)) return false;
    this.firstSeen.set(id, atMs);
    return true;
  }

  get size(): number {
    return this.firstSeen.size;
  }

  private expire(atMs: number): void {
    if (this.horizonMs === Number.POSITIVE_INFINITY) return;
    for (const [id, t] of this.firstSeen) {
      if (atMs - t < this.horizonMs) return;
      this.firstSeen.delete(id);
    }
  }
}
