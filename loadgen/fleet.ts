// A synthetic fleet of servers and the order its samples are *sent* in (pure, deterministic in
// the seed). Each server reports every interval: cpu_util_pct (gauge), net_tx_bytes (counter,
// with resets), disk_extra_gb and public_ips (gauges that step), power_on (0/1 gauge) and
// http_requests (delta) — one metric for every meter kind and aggregation of SPEC §3.
// Disorder is injected on the send order: a share of samples is sent twice (an identical
// re-send, as after a lost acknowledgement), a share a few intervals late but within the allowed
// lateness (out of order), and a share later than the allowed lateness (late corrections).
import type { Sample } from '../pipeline/samples/sample.js';
import { seededRng, type Rng } from './rng.js';

export interface FleetOptions {
  servers: number;
  /** Samples per server. */
  rounds: number;
  intervalS: number;
  /** Event time of round 0 (epoch ms). */
  startMs: number;
  seed: number;
  /** Shares in [0, 1]. */
  duplicateShare: number;
  outOfOrderShare: number;
  lateShare: number;
  /** Probability that a counter sample follows a reset (reboot, interface reset). */
  resetShare: number;
  /** The pipeline's allowed lateness and window: how late "late" must be. */
  allowedLatenessMs: number;
  windowMs: number;
  serverPrefix?: string;
}

export type SendKind = 'normal' | 'duplicate' | 'out_of_order' | 'late';

export interface Sent {
  sample: Sample;
  kind: SendKind;
}

export const serverName = (prefix: string, i: number): string => `${prefix}${String(i + 1).padStart(4, '0')}`;

interface ServerState {
  cpuTenths: number;
  counter: bigint;
  diskGb: number;
  ips: number;
  on: boolean;
}

function initial(rng: Rng): ServerState {
  return { cpuTenths: rng.int(0, 1000), counter: BigInt(rng.int(0, 1e9)) * 1000n, diskGb: 100 * rng.int(0, 3), ips: rng.int(1, 4), on: true };
}

/** Advances one interval and returns the metric values (exact decimal strings). */
function step(st: ServerState, rng: Rng, resetShare: number, intervalS: number): { metrics: Record<string, string>; reset: boolean } {
  st.cpuTenths = Math.min(1000, Math.max(0, st.cpuTenths + rng.int(-80, 80)));
  const bytes = BigInt(rng.int(0, 125_000)) * BigInt(intervalS) * 8n; // up to ~1 MB/s
  const reset = rng.chance(resetShare);
  st.counter = reset ? bytes : st.counter + bytes;
  if (rng.chance(0.01)) st.diskGb = 100 * rng.int(0, 5);
  if (rng.chance(0.005)) st.ips = rng.int(1, 4);
  st.on = rng.chance(0.002) ? !st.on : st.on;
  const cpu = `${Math.floor(st.cpuTenths / 10)}.${st.cpuTenths % 10}`;
  return {
    reset,
    metrics: {
      cpu_util_pct: cpu,
      net_tx_bytes: st.counter.toString(),
      disk_extra_gb: String(st.diskGb),
      public_ips: String(st.ips),
      power_on: st.on ? '1' : '0',
      http_requests: String(rng.int(0, 500)),
    },
  };
}

export interface FleetStats {
  generated: number;
  sent: number;
  duplicates: number;
  outOfOrder: number;
  late: number;
  resets: number;
}

/**
 * Yields the samples in send order. Memory stays bounded by servers × (late delay + 3) rounds:
 * delayed samples wait in per-slot buckets until their slot comes.
 */
export function* fleet(opts: FleetOptions, stats: FleetStats = emptyStats()): Generator<Sent> {
  const rng = seededRng(opts.seed);
  const prefix = opts.serverPrefix ?? 'srv-';
  const intervalMs = opts.intervalS * 1000;
  // Late enough that the watermark (max event time − lateness) has passed the sample's window.
  const lateRounds = Math.ceil((opts.allowedLatenessMs + opts.windowMs) / intervalMs) + 1;
  const states = Array.from({ length: opts.servers }, () => initial(rng));
  const buckets = new Map<number, Sent[]>();
  const put = (slot: number, s: Sent) => {
    const b = buckets.get(slot);
    if (b) b.push(s);
    else buckets.set(slot, [s]);
  };
  const idBase = `lg${opts.seed}-${opts.startMs.toString(36)}`;
  for (let round = 0; round < opts.rounds; round++) {
    const tsMs = opts.startMs + round * intervalMs;
    for (let i = 0; i < opts.servers; i++) {
      const { metrics, reset } = step(states[i] as ServerState, rng, opts.resetShare, opts.intervalS);
      if (reset) stats.resets++;
      const sample: Sample = { id: `${idBase}-${i}-${round}`, serverId: serverName(prefix, i), tsMs, intervalS: String(opts.intervalS), metrics, labels: { dc: `dc${i % 3}` } };
      stats.generated++;
      const u = rng.next();
      // Delays only where later rounds exist to overtake the sample (else it is not late at all).
      const lateSlot = round + lateRounds + rng.int(0, 2);
      const oooSlot = round + rng.int(1, 3);
      if (u < opts.lateShare && lateSlot < opts.rounds) put(lateSlot, { sample, kind: 'late' });
      else if (u >= opts.lateShare && u < opts.lateShare + opts.outOfOrderShare && oooSlot < opts.rounds) put(oooSlot, { sample, kind: 'out_of_order' });
      else put(round, { sample, kind: 'normal' });
      if (rng.chance(opts.duplicateShare)) put(round + rng.int(0, 2), { sample, kind: 'duplicate' });
    }
    yield* drain(buckets, round, stats);
  }
  for (const slot of [...buckets.keys()].sort((a, b) => a - b)) yield* drain(buckets, slot, stats);
}

function* drain(buckets: Map<number, Sent[]>, slot: number, stats: FleetStats): Generator<Sent> {
  const b = buckets.get(slot);
  if (!b) return;
  buckets.delete(slot);
  // The slot's own round first, then what was held back for it: held-back samples are behind.
  const ordered = [...b.filter((s) => s.kind === 'normal'), ...b.filter((s) => s.kind !== 'normal')];
  for (const s of ordered) {
    stats.sent++;
    if (s.kind === 'duplicate') stats.duplicates++;
    else if (s.kind === 'out_of_order') stats.outOfOrder++;
    else if (s.kind === 'late') stats.late++;
    yield s;
  }
}

export const emptyStats = (): FleetStats => ({ generated: 0, sent: 0, duplicates: 0, outOfOrder: 0, late: 0, resets: 0 });
