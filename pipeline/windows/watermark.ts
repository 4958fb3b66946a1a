// Event-time progress of one source partition (SPEC §4). The watermark is the largest event
// time seen minus the allowed lateness; a window (or segment) is emitted when the watermark of
// its partition reaches its end. Idleness is judged in *processing* time, which the caller
// passes in (`nowMs`): the pure core never reads a clock, so a replay with the same inputs
// gives the same output.
//
// Idle partitions (the Flink `withIdleness` idea, adapted to per-partition emission): a
// partition with no record for idleTimeoutMs of processing time no longer waits for its own
// watermark. Its segments ending at or before the largest watermark among the *active*
// partitions are emitted, and its closed point moves there, so a record that arrives for them
// later is a correction, never a loss. When every partition is idle, the largest watermark of
// any partition is used; the most advanced partition's last windows then stay open until
// input resumes or the input ends (flushAll) — without data no event-time clock advances.

export interface PartitionClock {
  /** Largest event time seen (−Infinity before the first record). */
  maxEventTsMs: number;
  /** Processing time of the last record (−Infinity before the first record). */
  lastActivityMs: number;
  /** Every segment ending at or before this was emitted; a sample for one is a correction. */
  closedUpToMs: number;
}

export const newClock = (): PartitionClock => ({
  maxEventTsMs: Number.NEGATIVE_INFINITY,
  lastActivityMs: Number.NEGATIVE_INFINITY,
  closedUpToMs: Number.NEGATIVE_INFINITY,
});

export const watermarkOf = (c: PartitionClock, allowedLatenessMs: number): number => c.maxEventTsMs - allowedLatenessMs;

export const isIdle = (c: PartitionClock, nowMs: number, idleTimeoutMs: number): boolean =>
  nowMs - c.lastActivityMs >= idleTimeoutMs;

/**
 * How far an idle partition's segments may be closed: the largest watermark among active
 * partitions, or among all when none is active (−Infinity when no partition has seen data).
 */
export function idleCloseTarget(clocks: readonly PartitionClock[], nowMs: number, idleTimeoutMs: number, allowedLatenessMs: number): number {
  let active = Number.NEGATIVE_INFINITY;
  let any = Number.NEGATIVE_INFINITY;
  let anyActive = false;
  for (const c of clocks) {
    const wm = watermarkOf(c, allowedLatenessMs);
    if (wm > any) any = wm;
    if (!isIdle(c, nowMs, idleTimeoutMs)) {
      anyActive = true;
      if (wm > active) active = wm;
    }
  }
  return anyActive ? active : any;
}

/** JSON has no infinities: snapshots store them as null. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
export const nullToNegInf = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NEGATIVE_INFINITY : x);
