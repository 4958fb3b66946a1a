// Riding out a dependency that is away: a step that fails with a transient error (roles/
// transient.ts) is tried again after a growing, jittered delay — for as long as it takes, since
// a role must never exit because PostgreSQL, Kafka or the registry restarted. Anything else (a
// configuration error, a bug) is thrown at once. Shutdown (or the caller's signal) ends the wait.
import type { Logger } from '../observability/log.js';
import { shutdownSignal } from '../lib/signals.js';
import { isTransient } from './transient.js';
import type { RoleHealth } from './health.js';

export interface RetryOptions {
  log: Logger;
  /** Aborts the waiting (default: the process's shutdown signal). */
  signal?: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called on every transient failure (e.g. mark the role not ready). */
  onRetry?: (err: unknown, attempt: number) => void;
  /** Runs after each wait, before the next attempt (a consumer's heartbeat keeps its partitions). */
  between?: () => Promise<void>;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal: AbortSignal = shutdownSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The delay before attempt `n` (1-based): doubling from `initial`, capped, ±20 % jitter. */
export function backoffMs(attempt: number, initial = 200, max = 5000): number {
  const base = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export async function retryTransient<T>(what: string, step: () => Promise<T>, o: RetryOptions): Promise<T> {
  const signal = o.signal ?? shutdownSignal;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason as Error;
    try {
      return await step();
    } catch (err) {
      if (!isTransient(err) || signal.aborted) throw err;
      const delay = backoffMs(attempt, o.initialDelayMs, o.maxDelayMs);
      o.onRetry?.(err, attempt);
      // The first failures are start-up noise (a broker electing leaders); a long outage is not.
      o.log[attempt >= 5 ? 'warn' : 'info']({ attempt, retryInMs: delay, err: (err as Error).message }, `${what}: dependency not available, retrying`);
      await sleep(delay, signal);
      await o.between?.();
    }
  }
}

export interface WaitOutOptions {
  log: Logger;
  signal: AbortSignal;
  /** The role's readiness: `condition` fails while the step waits. */
  health: RoleHealth;
  condition: string;
  /** A consumer's heartbeat, so it keeps its partitions while waiting. */
  heartbeat: () => Promise<void>;
}

/** One step of a consumer's batch, with a dependency outage waited out and shown on /readyz. */
export async function waitOut<T>(what: string, step: () => Promise<T>, o: WaitOutOptions): Promise<T> {
  const result = await retryTransient(what, step, {
    log: o.log,
    signal: o.signal,
    onRetry: (err) => o.health.set(o.condition, `${what}: ${(err as Error).message}`),
    between: o.heartbeat,
  });
  o.health.set(o.condition, undefined);
  return result;
}
