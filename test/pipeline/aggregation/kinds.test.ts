// Every aggregation kind of SPEC §3 on hand-made series; expectations worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import { quantityOf, rollupValue } from '../../../pipeline/aggregation/state.js';
import type { Meter } from '../../../catalog/types.js';
import type { Sample } from '../../../pipeline/samples/sample.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { meter, sample, T0 } from './helpers.js';

const HOUR = 3_600_000;
const OCTOBER_S = 31 * 86_400; // 2678400 seconds in October 2026 (UTC)

/** Runs samples in order through one big window, returns the single part of `m`. */
function onePart(meters: Meter[], samples: Sample[], name: string): RollupPart {
  const agg = new Aggregator({ meters, windowMs: HOUR, allowedLatenessMs: HOUR, idleTimeoutMs: 1000 });
  const parts: RollupPart[] = [];
  samples.forEach((s, i) => parts.push(...agg.add(s, { partition: 0, offset: String(i) }, 0)));
  parts.push(...agg.flushAll());
  const mine = parts.filter((p) => p.meter === name);
  assert.equal(mine.length, 1, `one part of ${name}`);
  return mine[0] as RollupPart;
}

const at = (s: number): number => T0 + s * 1000;

test('delta: usage = Σ values × factor', () => {
  const m = meter('requests', 'http_requests', 'delta', 'sum');
  // 3 + 4.5 + 0.25 = 7.75
  const p = onePart([m], [sample('a', at(0), { http_requests: '3' }), sample('a', at(60), { http_requests: '4.5' }), sample('a', at(120), { http_requests: '0.25' })], 'requests');
  assert.equal(p.state.sum, '7.75');
  assert.equal(p.state.count, 3);
  assert.equal(quantityOf(m, p.state).toString(), '7.75');
});

test('counter: baseline, increase, reset, factor', () => {
  const m = meter('bw', 'net_tx_bytes', 'counter', 'sum', { factor: '1e-9' });
  // readings 1000 (baseline: 0), 1000001000 (+1000000000), 500 (reset: +500), 2500 (+2000)
  // Σ = 1000002500 bytes × 1e-9 = 1.0000025 GB
  const p = onePart([m], [
    sample('a', at(0), { net_tx_bytes: '1000' }),
    sample('a', at(60), { net_tx_bytes: '1000001000' }),
    sample('a', at(120), { net_tx_bytes: '500' }),
    sample('a', at(180), { net_tx_bytes: '2500' }),
  ], 'bw');
  assert.equal(p.state.sum, '1.0000025');
  assert.equal(p.state.count, 4);
});

test('gauge max, min, avg, latest (by ts, not arrival), count', () => {
  const meters = [
    meter('peak', 'cpu', 'gauge', 'max'),
    meter('low', 'cpu', 'gauge', 'min'),
    meter('mean', 'cpu', 'gauge', 'avg'),
    meter('last', 'cpu', 'gauge', 'latest'),
    meter('n', 'cpu', 'gauge', 'count'),
  ];
  // arrival order: ts 10 s → 12.5, ts 50 s → 99.9, ts 30 s → 3 (late in arrival, not newest)
  const samples = [sample('a', at(10), { cpu: '12.5' }), sample('a', at(50), { cpu: '99.9' }), sample('a', at(30), { cpu: '3' })];
  const q = (name: string): string => {
    const m = meters.find((x) => x.name === name) as Meter;
    return rollupValue(m, onePart(meters, samples, name).state);
  };
  assert.equal(q('peak'), '99.9');
  assert.equal(q('low'), '3');
  // (12.5 + 99.9 + 3) / 3 = 115.4 / 3 = 38.4666…
  const mean = onePart(meters, samples, 'mean');
  assert.equal(mean.state.sum, '115.4');
  assert.equal(quantityOf(meters[2] as Meter, mean.state).toFixed(10), '38.4666666667');
  assert.equal(q('last'), '99.9'); // ts 50 s is the newest
  assert.equal(onePart(meters, samples, 'last').state.latestTsMs, at(50));
  assert.equal(q('n'), '3');
});

test('gauge factor multiplies first', () => {
  const m = meter('peak_k', 'mem', 'gauge', 'max', { factor: '0.001' });
  // max(1500, 2500) × 0.001 = 2.5
  const p = onePart([m], [sample('a', at(0), { mem: '1500' }), sample('a', at(1), { mem: '2500' })], 'peak_k');
  assert.equal(p.state.max, '2.5');
});

test('integral: Σ value × interval_s ÷ per_seconds, interval_s defaulting to the meter’s', () => {
  const m = meter('ip_minutes', 'public_ips', 'gauge', 'integral', { perSeconds: '60', intervalS: '60' });
  // 2 × 60 (default) + 2 × 60 + 3 × 30 = 330 IP-seconds ÷ 60 = 5.5 IP-minutes
  const samples = [
    sample('a', at(0), { public_ips: '2' }),
    sample('a', at(60), { public_ips: '2' }, { intervalS: '60' }),
    sample('a', at(120), { public_ips: '3' }, { intervalS: '30' }),
  ];
  assert.equal(onePart([m], samples, 'ip_minutes').state.sum, '5.5');
  // per hour: 330 ÷ 3600 = 0.0916666…
  const h = meter('ip_hours', 'public_ips', 'gauge', 'integral');
  assert.equal(quantityOf(h, onePart([h], samples, 'ip_hours').state).toFixed(8), '0.09166667');
});

test('time_average: value-seconds ÷ seconds of the billing period', () => {
  const m = meter('ssd', 'disk', 'gauge', 'time_average');
  // 200 GB × 300 s + 100 GB × 300 s = 90000 GB-seconds
  const p = onePart([m], [sample('a', at(0), { disk: '200' }, { intervalS: '300' }), sample('a', at(300), { disk: '100' }, { intervalS: '300' })], 'ssd');
  assert.equal(p.state.sum, '90000');
  assert.equal(quantityOf(m, p.state, 1000).toString(), '90'); // a 1000-second "period"
  // October: 90000 ÷ 2678400 = 0.0336021505…
  assert.equal(quantityOf(m, p.state, OCTOBER_S).toFixed(6), '0.033602');
  assert.throws(() => quantityOf(m, p.state), /needs the seconds of the billing period/);
});

test('unique: distinct values of a label; samples without it add no value', () => {
  const m = meter('dcs', 'power_on', 'gauge', 'unique', { label: 'dc' });
  // fra1, ams1, fra1, (none) → {ams1, fra1} = 2
  const p = onePart([m], [
    sample('a', at(0), { power_on: '1' }, { labels: { dc: 'fra1' } }),
    sample('a', at(1), { power_on: '1' }, { labels: { dc: 'ams1' } }),
    sample('a', at(2), { power_on: '1' }, { labels: { dc: 'fra1' } }),
    sample('a', at(3), { power_on: '1' }),
  ], 'dcs');
  assert.deepEqual(p.state.distinct, ['ams1', 'fra1']);
  assert.equal(rollupValue(m, p.state), '2');
});

test('one sample feeds every meter of its metrics; meters without their metric get nothing', () => {
  const meters = [meter('req', 'r', 'delta', 'sum'), meter('req_peak', 'r', 'gauge', 'max'), meter('other', 'x', 'delta', 'sum')];
  const agg = new Aggregator({ meters, windowMs: HOUR, allowedLatenessMs: 0, idleTimeoutMs: 1000 });
  agg.add(sample('a', at(0), { r: '5', unrelated: '1' }), { partition: 0, offset: '0' }, 0);
  const parts = agg.flushAll();
  assert.deepEqual(parts.map((p) => [p.meter, p.state.sum, p.state.max]), [['req', '5', undefined], ['req_peak', '0', '5']]);
});

test('empty state quantities are 0', () => {
  for (const agg of ['sum', 'max', 'min', 'avg', 'latest', 'integral', 'count', 'unique'] as const) {
    assert.equal(rollupValue(meter('m', 'x', 'gauge', agg), { count: 0, sum: '0' }), '0', agg);
  }
});
