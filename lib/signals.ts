// Resolves on the first SIGINT/SIGTERM: long-running roles await it, then close in order.
// `shutdownSignal` aborts at the same moment, so work that waits on a dependency (a start-up
// retry loop, a backoff) gives up at once instead of holding the process past its grace period.
const controller = new AbortController();

/** Aborted by the first SIGINT/SIGTERM that untilShutdown() saw. */
export const shutdownSignal: AbortSignal = controller.signal;

export function untilShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      controller.abort(new Error(`${sig}: shutting down`));
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
