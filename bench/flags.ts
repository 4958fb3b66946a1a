// What the bench subcommands share around their timed run: whole-number flags read the same
// way (a bad value is a usage error naming the flag), and a run bounded by --max-seconds.
import { UsageError } from '../cli/command.js';

/** The flag's whole number within [min, max]; `dflt` when the flag is absent. */
export function wholeNumberFlag(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** 'done' once `finished` resolves, 'timeout' after `maxSeconds` (the timer never holds the process open). */
export function doneOrTimeout(finished: Promise<void>, maxSeconds: number): Promise<'done' | 'timeout'> {
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), maxSeconds * 1000).unref());
  return Promise.race([finished.then(() => 'done' as const), timeout]);
}
