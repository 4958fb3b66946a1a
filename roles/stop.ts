// Stopping a process's roles on SIGTERM: all at once (they share nothing that needs an order
// once HTTP has stopped taking work), within a deadline. A role still busy at the deadline is
// left behind — safe, since every role is effectively-once: what it had not committed is
// replayed by the next process — because Kubernetes SIGKILLs after its grace period anyway and
// an operator waiting on a terminal should not. A second signal ends the wait at once.
import type { Logger } from '../observability/log.js';
import type { RunningRole } from './role.js';
import { shutdownSignal } from '../lib/signals.js';

/** Below Kubernetes' default 30 s grace period, with room for the HTTP drain before it. */
export const STOP_DEADLINE_MS = 15_000;

export async function stopRoles(roles: { name: string; role: RunningRole }[], log: Logger, deadlineMs = STOP_DEADLINE_MS): Promise<void> {
  const pending = new Set(roles.map((r) => r.name));
  const all = Promise.all(
    roles.map(async ({ name, role }) => {
      await role.stop().catch((err: unknown) => log.error({ err, role: name }, 'role did not stop cleanly'));
      pending.delete(name);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  let onSignal: (() => void) | undefined;
  const cutShort = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`not stopped within ${deadlineMs} ms`), deadlineMs);
    onSignal = () => resolve('a second signal');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const why = await Promise.race([all.then(() => undefined), cutShort]);
  clearTimeout(timer);
  if (onSignal) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (why !== undefined) log.warn({ roles: [...pending] }, `exiting with roles still stopping (${why}); their uncommitted work is replayed on restart`);
}

/**
 * A role's start, or undefined when a shutdown signal arrived while it was starting (e.g. waiting
 * for a database that never came): the process then exits 0 like any other shutdown, not with
 * the abort as an error.
 */
export async function startUnlessShutdown<T>(start: Promise<T>, log: Logger, role: string): Promise<T | undefined> {
  try {
    return await start;
  } catch (err) {
    if (!shutdownSignal.aborted) throw err;
    log.info({ role }, 'stopped while starting');
    return undefined;
  }
}
