// Sleeps a stopping loop can cut short: a worker's idle wait or a retry backoff must not hold
// up a role's stop() for its whole length.
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Ends every sleep now in progress. */
  wakeAll(): void;
}

export function sleeper(): Sleeper {
  const wakers = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, ms);
        wakers.add(wake);
      }),
    wakeAll: () => [...wakers].forEach((w) => w()),
  };
}
