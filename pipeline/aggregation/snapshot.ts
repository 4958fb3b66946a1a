// The Aggregator's snapshot envelope: plain JSON, versioned, carrying what the accumulators
// mean (each meter's signature and the base window) so that state is never restored into a
// configuration that would read it differently.
import type { Meter } from '../../catalog/types.js';
import { MeterlineError } from '../../lib/errors.js';
import type { AggregatorConfig } from './config.js';
import type { PartitionSnapshot } from './partition.js';

export interface AggregatorSnapshot {
  version: 1;
  windowMs: number;
  /** meter name → signature of what its accumulators mean; restore refuses a mismatch. */
  meters: Record<string, string>;
  partitions: PartitionSnapshot[];
}

/** What a meter's accumulated state means: a change of any of these changes the numbers. */
export const signature = (m: Meter): string =>
  [m.metric, m.kind, m.aggregation, m.factor.toString(), m.intervalS.toString(), m.perSeconds.toString(), m.label ?? ''].join('|');


export const snapshotHeader = (c: AggregatorConfig): Omit<AggregatorSnapshot, 'partitions'> => ({
  version: 1,
  windowMs: c.windowMs,
  meters: Object.fromEntries(c.meters.map((m) => [m.name, signature(m)])),
});

/** Throws one config error naming every way `snap` does not fit configuration `c`. */
export function checkSnapshot(snap: AggregatorSnapshot, c: AggregatorConfig): void {
  const problems: string[] = [];
  if (snap.version !== 1) problems.push(`unknown snapshot version ${String(snap.version)}`);
  if (snap.windowMs !== c.windowMs) problems.push(`windowMs ${snap.windowMs} ≠ configured ${c.windowMs}`);
  const mine = snapshotHeader(c).meters;
  for (const [name, sig] of Object.entries(snap.meters)) {
    if (mine[name] === undefined) problems.push(`meter ${name} is no longer configured`);
    else if (mine[name] !== sig) problems.push(`meter ${name} changed (${sig} → ${mine[name]})`);
  }
  if (problems.length > 0) throw new MeterlineError('config', `aggregator snapshot does not fit this configuration: ${problems.join('; ')}`);
}
