// A catalogue change (meters, window) while state exists: the restore migrates instead of
// refusing (which stalled the partition forever). Worked by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import { meterFromSignature } from '../../../pipeline/aggregation/migrate.js';
import { signature } from '../../../pipeline/aggregation/snapshot.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;
const base = { allowedLatenessMs: 0, idleTimeoutMs: 1000 };

test('meters or window changed: old open windows are emitted under the old meanings, baselines carry over', () => {
  const before: AggregatorConfig = {
    ...base,
    windowMs: MIN,
    meters: [meter('req', 'r', 'delta', 'sum'), meter('bw', 'net', 'counter', 'sum'), meter('gone', 'cpu', 'gauge', 'max')],
  };
  const a = new Aggregator(before);
  a.add(sample('a', T0 + 10 * S, { r: '1', net: '100', cpu: '5' }), { partition: 0, offset: '0' }, 0);
  // 70 s closes [0, 60 s): req 1, bw 0 (the baseline), gone 5. [60 s, 120 s) stays open: req 2, bw 150 − 100 = 50.
  const closed = a.add(sample('a', T0 + 70 * S, { r: '2', net: '150' }), { partition: 0, offset: '1' }, 0);
  assert.deepEqual(closed.map((p) => [p.meter, p.state.max ?? p.state.sum]), [['req', '1'], ['bw', '0'], ['gone', '5']]);
  const changes = a.drainChanges(0);
  assert.ok(changes);

  // New catalogue: req counts double, gone removed, 2-minute windows.
  const after: AggregatorConfig = { ...base, windowMs: 2 * MIN, meters: [meter('req', 'r', 'delta', 'sum', { factor: '2' }), meter('bw', 'net', 'counter', 'sum')] };
  const b = new Aggregator(after);
  const m = b.restoreFromRecords(JSON.parse(JSON.stringify(changes.meta)), JSON.parse(JSON.stringify(changes.upserts)), 0);
  assert.deepEqual(m.migrated, ['window 60000 ms → 120000 ms', 'meter req changed (r|delta|sum|1|60|3600| → r|delta|sum|2|60|3600|)', 'meter gone removed']);
  // The open [60 s, 120 s) under the old meanings: req 2 (factor 1), bw 50; gone dropped.
  assert.deepEqual(m.parts.map((p) => [p.meter, (p.windowStartMs - T0) / S, (p.windowEndMs - T0) / S, p.state.sum]), [['req', 60, 120, '2'], ['bw', 60, 120, '50']]);
  // After the change: 130 s falls in [120 s, 240 s); req 3 × 2 = 6; bw 175 − 150 = 25 (the carried baseline, not a new one).
  b.add(sample('a', T0 + 130 * S, { r: '3', net: '175' }), { partition: 0, offset: '2' }, 0);
  assert.deepEqual(b.flushAll().map((p) => [p.meter, (p.windowStartMs - T0) / S, p.state.sum]), [['req', 120, '6'], ['bw', 120, '25']]);
  // The next commit rewrites the server under the new configuration.
  const next = b.drainChanges(0);
  assert.deepEqual(next?.upserts.map((r) => r.serverId), ['a']);
  assert.equal(next?.meta.windowMs, 2 * MIN);
});

test('unchanged configuration: a plain restore, nothing emitted', () => {
  const c: AggregatorConfig = { ...base, windowMs: MIN, meters: [meter('req', 'r', 'delta', 'sum')] };
  const a = new Aggregator(c);
  a.add(sample('a', T0, { r: '4' }), { partition: 0, offset: '0' }, 0);
  const changes = a.drainChanges(0);
  assert.ok(changes);
  const b = new Aggregator(c);
  const m = b.restoreFromRecords(changes.meta, changes.upserts, 0);
  assert.deepEqual(m, { parts: [], migrated: [] });
  assert.deepEqual(b.flushAll().map((p) => p.state.sum), ['4']);
});

test('a meter rebuilt from its signature has the same signature', () => {
  const m = meter('ip', 'public_ips', 'gauge', 'integral', { perSeconds: '3600', factor: '1e-9', label: 'dc|x' });
  assert.equal(signature(meterFromSignature('ip', signature(m))), signature(m));
});
