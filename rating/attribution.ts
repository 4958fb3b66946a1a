// Attribution (SPEC §6.1): usage at instant t belongs to the subscription of its server with
// from ≤ t < to. The catalogue guarantees subscriptions of one server never overlap, so the
// answer is unique; a binary search over each server's sorted list keeps it O(log n).
import type { Subscription } from '../catalog/types.js';

export class SubscriptionIndex {
  private readonly byServer = new Map<string, Subscription[]>();

  constructor(subscriptions: readonly Subscription[]) {
    for (const s of subscriptions) {
      const list = this.byServer.get(s.serverId);
      if (list) list.push(s);
      else this.byServer.set(s.serverId, [s]);
    }
    for (const list of this.byServer.values()) list.sort((a, b) => a.fromMs - b.fromMs);
  }

  /** The subscription active for `serverId` at `tsMs`, if any. */
  find(serverId: string, tsMs: number): Subscription | undefined {
    const list = this.byServer.get(serverId);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found: Subscription | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (s.fromMs <= tsMs) {
        found = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found && (found.toMs === undefined || tsMs < found.toMs) ? found : undefined;
  }

  /** Subscription starts and ends of `serverId` strictly inside (startMs, endMs), ascending. */
  boundariesWithin(serverId: string, startMs: number, endMs: number): number[] {
    const out: number[] = [];
    for (const s of this.byServer.get(serverId) ?? []) {
      if (s.fromMs > startMs && s.fromMs < endMs) out.push(s.fromMs);
      if (s.toMs !== undefined && s.toMs > startMs && s.toMs < endMs) out.push(s.toMs);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }
}
