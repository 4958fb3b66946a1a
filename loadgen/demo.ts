// `npm start -- --demo`: a small simulated fleet that keeps sending usage in real time to the
// running ingest, so a newcomer's console charts move and the current drafts grow. It first
// back-fills the last two hours (charts are not empty on arrival), then sends one round per
// interval with the current time, until stopped. Same fleet as `meterline loadgen`, without
// the disorder (that is for tests, not for a first look).
import { fleet } from './fleet.js';
import { httpSender } from './senders.js';

export interface DemoOptions {
  url: string;
  /** An agent key. */
  key: string;
  servers?: number;
  intervalS?: number;
  backfillMs?: number;
  /** Called when a send fails for good (the demo keeps going). */
  onError?: (err: Error) => void;
}

export interface Demo {
  stop(): Promise<void>;
}

export function startDemo(o: DemoOptions): Demo {
  const intervalS = o.intervalS ?? 10;
  const intervalMs = intervalS * 1000;
  const backfillMs = o.backfillMs ?? 2 * 3600_000;
  const startMs = Math.floor((Date.now() - backfillMs) / intervalMs) * intervalMs;
  const samples = fleet({
    servers: o.servers ?? 3, rounds: Number.MAX_SAFE_INTEGER, intervalS, startMs, seed: 7,
    duplicateShare: 0, outOfOrderShare: 0, lateShare: 0, resetShare: 0.001, allowedLatenessMs: 0, windowMs: 60_000,
  });
  const sender = httpSender({ url: o.url, key: o.key, batch: 500, concurrency: 1, format: 'ndjson' });
  let stopped = false;
  let wake: (() => void) | undefined;
  const run = (async () => {
    for (const { sample } of samples) {
      if (stopped) break;
      const aheadMs = sample.tsMs - Date.now();
      if (aheadMs > 0) {
        // Caught up with the clock: send what is buffered, then wait for the next round's time.
        await sender.flush().catch((err: Error) => o.onError?.(err));
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, aheadMs);
        });
        if (stopped) break;
      }
      await sender.send(sample).catch((err: Error) => o.onError?.(err));
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await run;
    },
  };
}
