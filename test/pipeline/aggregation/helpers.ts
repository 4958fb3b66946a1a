// Builders shared by the aggregation tests: catalogue meters and samples by hand.
import { Decimal } from '../../../lib/decimal.js';
import type { Aggregation, Meter, MeterKind } from '../../../catalog/types.js';
import type { Sample } from '../../../pipeline/samples/sample.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';

export function meter(name: string, metric: string, kind: MeterKind, aggregation: Aggregation, opts: { factor?: string; perSeconds?: string; intervalS?: string; label?: string } = {}): Meter {
  const m: Meter = {
    name, metric, kind, aggregation, unit: 'u',
    factor: new Decimal(opts.factor ?? '1'),
    perSeconds: new Decimal(opts.perSeconds ?? '3600'),
    intervalS: new Decimal(opts.intervalS ?? '60'),
  };
  if (opts.label !== undefined) m.label = opts.label;
  return m;
}

let n = 0;
/** A sample at `iso` (or epoch ms) with the given metrics. */
export function sample(serverId: string, ts: string | number, metrics: Record<string, string>, extra: { intervalS?: string; labels?: Record<string, string>; id?: string } = {}): Sample {
  const s: Sample = { id: extra.id ?? `s${++n}`, serverId, tsMs: typeof ts === 'number' ? ts : Date.parse(ts), metrics, labels: extra.labels ?? {} };
  if (extra.intervalS !== undefined) s.intervalS = extra.intervalS;
  return s;
}

export const T0 = Date.UTC(2026, 9, 1); // 2026-10-01T00:00:00Z
export const MIN = 60_000;

/** Parts of one meter, keyed "server@windowStartMs". */
export const byKey = (parts: readonly RollupPart[], meterName: string): Map<string, RollupPart[]> => {
  const m = new Map<string, RollupPart[]>();
  for (const p of parts) {
    if (p.meter !== meterName) continue;
    const k = `${p.serverId}@${p.windowStartMs}`;
    m.set(k, [...(m.get(k) ?? []), p]);
  }
  return m;
};
