// `meters:` (SPEC §3): each meter names the metric it reads, a kind and, for gauges, how the
// level becomes usage. Kind/aggregation pairs that mean nothing are rejected here, so the
// aggregator never has to guess.
import { Decimal, ONE } from '../lib/decimal.js';
import type { Aggregation, Meter, MeterKind } from './types.js';
import type { Checker } from './fields.js';
import type { RawValue } from './raw.js';

const KINDS = ['delta', 'counter', 'gauge'] as const;
const GAUGE_AGGREGATIONS = ['max', 'min', 'avg', 'latest', 'integral', 'time_average', 'count', 'unique'] as const;
/** delta and counter usage is the sum of increases; count and unique work on any series. */
const SUM_AGGREGATIONS = ['sum', 'count', 'unique'] as const;
const FIELDS = ['metric', 'kind', 'aggregation', 'factor', 'unit', 'per_seconds', 'interval_s', 'label'] as const;

const DEFAULT_PER_SECONDS = new Decimal(3600);
const DEFAULT_INTERVAL_S = new Decimal(60);

function meter(c: Checker, name: string, raw: RawValue | undefined, path: string): Meter | undefined {
  const m = c.map(raw, path);
  if (!m) return undefined;
  c.keys(m, path, FIELDS);
  const metric = c.string(m.metric, `${path}.metric`);
  const kind = c.oneOf<MeterKind>(m.kind, `${path}.kind`, KINDS);
  const unit = c.string(m.unit, `${path}.unit`);
  const factor = m.factor === undefined ? ONE : c.decimal(m.factor, `${path}.factor`, { kind: 'meter', min: new Decimal(0), minExclusive: true });
  const perSeconds = m.per_seconds === undefined ? DEFAULT_PER_SECONDS
    : c.decimal(m.per_seconds, `${path}.per_seconds`, { kind: 'meter', min: new Decimal(0), minExclusive: true });
  const intervalS = m.interval_s === undefined ? DEFAULT_INTERVAL_S
    : c.decimal(m.interval_s, `${path}.interval_s`, { kind: 'meter', min: new Decimal(0), minExclusive: true });

  let aggregation: Aggregation | undefined;
  if (kind === 'gauge') {
    if (m.aggregation === undefined || m.aggregation === null) {
      c.add(`${path}.aggregation`, `is required for a gauge (one of ${GAUGE_AGGREGATIONS.join(', ')})`);
    } else {
      const a = c.string(m.aggregation, `${path}.aggregation`);
      if (a !== undefined && !(GAUGE_AGGREGATIONS as readonly string[]).includes(a)) {
        c.add(`${path}.aggregation`, `${JSON.stringify(a)} does not apply to a gauge (one of ${GAUGE_AGGREGATIONS.join(', ')})`);
      } else aggregation = a as Aggregation | undefined;
    }
  } else if (kind !== undefined) {
    const a = m.aggregation === undefined || m.aggregation === null ? 'sum' : c.string(m.aggregation, `${path}.aggregation`);
    if (a !== undefined && !(SUM_AGGREGATIONS as readonly string[]).includes(a)) {
      c.add(`${path}.aggregation`, `${JSON.stringify(a)} does not apply to a ${kind} meter (its usage is the sum of increases; allowed: ${SUM_AGGREGATIONS.join(', ')})`);
    } else aggregation = a as Aggregation | undefined;
  }

  const label = m.label === undefined ? undefined : c.string(m.label, `${path}.label`);
  if (aggregation === 'unique' && m.label === undefined) c.add(`${path}.label`, 'is required with aggregation unique (the label whose distinct values are counted)');
  if (aggregation !== undefined && aggregation !== 'unique' && m.label !== undefined) c.add(`${path}.label`, 'only applies to aggregation unique');
  if (aggregation !== undefined && aggregation !== 'integral' && m.per_seconds !== undefined) c.add(`${path}.per_seconds`, 'only applies to aggregation integral');

  if (!metric || !kind || !unit || !factor || !perSeconds || !intervalS || !aggregation) return undefined;
  const out: Meter = { name, metric, kind, aggregation, factor, unit, perSeconds, intervalS };
  if (label !== undefined) out.label = label;
  return out;
}

export function validateMeters(c: Checker, raw: RawValue | undefined): Record<string, Meter> {
  const out: Record<string, Meter> = {};
  if (raw === undefined || raw === null) return out; // base fees alone need no meter
  const m = c.map(raw, 'meters');
  if (!m) return out;
  for (const [name, value] of Object.entries(m)) {
    const v = meter(c, name, value, `meters.${name}`);
    if (v) out[name] = v;
  }
  return out;
}
