// Retry schedule of a webhook delivery (SPEC §13): after the first attempt fails, retries
// follow after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; a delivery still failing
// after the last is marked failed. Jitter of ±10 % keeps many endpoints' retries apart.
export const DEFAULT_BACKOFF_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/**
 * Delay before the next attempt after `attempts` failed attempts (1 = the first failed), or
 * undefined when the schedule is used up and the delivery fails for good.
 */
export function nextDelayMs(attempts: number, schedule: readonly number[] = DEFAULT_BACKOFF_MS, random: () => number = Math.random): number | undefined {
  const base = schedule[attempts - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (0.9 + 0.2 * random()));
}
