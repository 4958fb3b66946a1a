// A deterministic stream shared by the changelog tests (changes.test.ts, changelog-format.test.ts):
// two partitions, out-of-order and late samples (corrections), servers that come and go (sweeps),
// a counter meter (baselines), gauges and a unique set, and ticks (idleness).
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { meter, sample, T0, MIN } from './helpers.js';

export const S = 1000;

export type Event = { kind: 'add'; p: number; srv: string; sec: number; v: number } | { kind: 'tick'; now: number };

export function events(count: number, servers: number): Event[] {
  const out: Event[] = [];
  let x = 11;
  const rnd = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < count; i++) {
    if (i % 41 === 40) out.push({ kind: 'tick', now: i * 10 });
    // Out of order and late samples; servers come and go (a server is quiet for long stretches).
    else out.push({ kind: 'add', p: rnd(2), srv: `s${(rnd(servers) + Math.floor(i / 150)) % (servers * 2)}`, sec: Math.max(0, i * 3 - rnd(120)), v: rnd(1000) });
  }
  return out;
}

/** Events [from, to) into `agg` (offset = index, processing time = 10 × index); the parts emitted. */
export function apply(agg: Aggregator, evs: readonly Event[], from: number, to: number): RollupPart[] {
  const out: RollupPart[] = [];
  for (let i = from; i < to; i++) {
    const e = evs[i] as Event;
    if (e.kind === 'tick') out.push(...agg.tick(e.now));
    else out.push(...agg.add(sample(e.srv, T0 + e.sec * S, { r: String(e.v), net: String(e.v * 1000), cpu: String(e.v % 10) }, { labels: { dc: `dc${e.v % 4}` } }), { partition: e.p, offset: String(i) }, i * 10));
  }
  return out;
}

export const config = (extra: Partial<AggregatorConfig> = {}): AggregatorConfig => ({
  meters: [meter('req', 'r', 'delta', 'sum'), meter('bw', 'net', 'counter', 'sum', { factor: '1e-9' }), meter('peak', 'cpu', 'gauge', 'max'), meter('dcs', 'cpu', 'gauge', 'unique', { label: 'dc' })],
  windowMs: MIN,
  allowedLatenessMs: 20 * S,
  idleTimeoutMs: 1000,
  ...extra,
});
