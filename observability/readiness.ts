// Readiness (/readyz): the dependencies a process's roles need — Kafka, the database — each
// probed with a cheap call under a short timeout. Results are cached briefly so a busy probe
// endpoint (kubelet, load balancer, several scrapers) costs one round trip per dependency per
// cache period, and concurrent checks share the one probe in flight.
export type Probe = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  /** Why it is not ok (timeout, connection refused, …). */
  error?: string;
  ms: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** Adds (or replaces) a named probe; roles register what they depend on. */
  add(name: string, probe: Probe): void;
  names(): string[];
}

export interface ReadinessOptions {
  probes?: Record<string, Probe>;
  /** Per probe; a dependency slower than this is as good as down for serving traffic. */
  timeoutMs?: number;
  /** How long a result is reused. */
  cacheMs?: number;
  now?: () => number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;
export const DEFAULT_PROBE_CACHE_MS = 1000;

function withTimeout(probe: Probe, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    probe().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function createReadiness(opts: ReadinessOptions = {}): Readiness {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const cacheMs = opts.cacheMs ?? DEFAULT_PROBE_CACHE_MS;
  const now = opts.now ?? Date.now;
  const probes = new Map<string, Probe>(Object.entries(opts.probes ?? {}));
  const cache = new Map<string, { atMs: number; result: Promise<CheckResult> }>();

  const run = (name: string, probe: Probe): Promise<CheckResult> => {
    const hit = cache.get(name);
    if (hit && now() - hit.atMs < cacheMs) return hit.result;
    const started = performance.now();
    const result = withTimeout(probe, timeoutMs).then(
      (): CheckResult => ({ ok: true, ms: Math.round(performance.now() - started) }),
      (err: Error): CheckResult => ({ ok: false, error: err.message, ms: Math.round(performance.now() - started) }),
    );
    cache.set(name, { atMs: now(), result });
    return result;
  };

  return {
    async check() {
      const entries = await Promise.all([...probes].map(async ([name, probe]) => [name, await run(name, probe)] as const));
      const checks = Object.fromEntries(entries);
      return { ready: entries.every(([, r]) => r.ok), checks };
    },
    add(name, probe) {
      probes.set(name, probe);
      cache.delete(name);
    },
    names: () => [...probes.keys()].sort(),
  };
}
