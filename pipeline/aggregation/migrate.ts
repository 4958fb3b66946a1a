// State written under another meter or window configuration (a catalogue change while the
// aggregate role holds open windows). Refusing it stalls the partition forever; reading it with
// the new meanings would mix units. Instead the old state is finished under the configuration it
// was built with — every open segment and pending correction is emitted now, early — and only
// what does not depend on meters or windows, the counter baselines, carries into the new state.
//
// Early emission is exact: parts of one (server, meter, window) merge commutatively, so a sample
// of such a window arriving after the change becomes a correction part beside the early one and
// the totals are those of an uninterrupted run with the old definition before the change and the
// new one after it. A meter no longer configured loses its open partial windows (it is no longer
// billed); the role logs which. The old meters are rebuilt from the snapshot's signatures.
import { Decimal } from '../../lib/decimal.js';
import type { Aggregation, Meter, MeterKind } from '../../catalog/types.js';
import { MeterlineError } from '../../lib/errors.js';
import type { AggregatorConfig } from './config.js';
import type { PartitionSnapshot } from './partition.js';
import { signature, type AggregatorSnapshot } from './snapshot.js';

/** What differs between a snapshot and a configuration (empty: the snapshot fits). */
export function differences(snap: AggregatorSnapshot, c: AggregatorConfig): string[] {
  const out: string[] = [];
  if (snap.windowMs !== c.windowMs) out.push(`window ${snap.windowMs} ms → ${c.windowMs} ms`);
  const mine = new Map(c.meters.map((m) => [m.name, signature(m)]));
  for (const [name, sig] of Object.entries(snap.meters)) {
    if (!mine.has(name)) out.push(`meter ${name} removed`);
    else if (mine.get(name) !== sig) out.push(`meter ${name} changed (${sig} → ${String(mine.get(name))})`);
  }
  return out;
}

/** The meter a signature describes (signature(): metric|kind|aggregation|factor|interval_s|per_seconds|label). */
export function meterFromSignature(name: string, sig: string): Meter {
  const f = sig.split('|');
  if (f.length < 7) throw new MeterlineError('config', `aggregator snapshot: meter ${name} has an unreadable signature (${sig})`);
  const [metric, kind, aggregation, factor, intervalS, perSeconds] = f as [string, string, string, string, string, string];
  const label = f.slice(6).join('|');
  const m: Meter = {
    name,
    metric,
    kind: kind as MeterKind,
    aggregation: aggregation as Aggregation,
    factor: new Decimal(factor),
    unit: '',
    intervalS: new Decimal(intervalS),
    perSeconds: new Decimal(perSeconds),
  };
  if (label !== '') m.label = label;
  return m;
}

/**
 * The configuration a snapshot was written under, restricted to the meters still configured
 * (a removed meter's accumulators are dropped from `partition` by the caller).
 */
export function oldConfig(snap: AggregatorSnapshot, c: AggregatorConfig): AggregatorConfig {
  const names = new Set(c.meters.map((m) => m.name));
  const meters = Object.entries(snap.meters)
    .filter(([name]) => names.has(name))
    .map(([name, sig]) => meterFromSignature(name, sig));
  return { ...c, meters, windowMs: snap.windowMs };
}

/** A partition snapshot without the accumulators of meters not in `keep`. */
export function withoutMeters(p: PartitionSnapshot, keep: ReadonlySet<string>): PartitionSnapshot {
  const strip = (gs: PartitionSnapshot['open']) =>
    gs.map((g) => ({ ...g, accs: Object.fromEntries(Object.entries(g.accs).filter(([name]) => keep.has(name))) }));
  return { ...p, open: strip(p.open), corrections: strip(p.corrections) };
}
