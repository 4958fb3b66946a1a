// A catalogue change (meters, window) while state exists: the restore migrates instead of
// refusing (which stalled the partition forever). Worked by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import { meterFromSignature } from '../../../pipeline/aggregation/migrate.js';
import { signature } from '../../../pipeline/aggregation/snapshot.js';
import type { PartitionMeta } from '../../../pipeline/aggregation/changes.js';
import { decodeCounters } from '../../../pipeline/aggregation/window-codec.js';
import { ChangelogModel } from './changelog-model.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;
const base = { allowedLatenessMs: 0, idleTimeoutMs: 1000 };

for (const source of ['format 4', 'json', 'packed'] as const) {
  test(`meters or window changed: old open windows are emitted under the old meanings, baselines carry over (${source} records)`, () => {
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
    const log = new ChangelogModel();
    log.commit(a, [0]);
    // [0, 60 s) was emitted before the commit: the changelog holds the open window and the baselines.
    assert.deepEqual(log.keys(0), [`0#k/a`, `0#o${T0 + MIN}/a`]);
    if (source !== 'format 4') log.writeLegacy(a, 0, source);
    const read = log.keys(0);

    // New catalogue: req counts double, gone removed, 2-minute windows.
    const after: AggregatorConfig = { ...base, windowMs: 2 * MIN, meters: [meter('req', 'r', 'delta', 'sum', { factor: '2' }), meter('bw', 'net', 'counter', 'sum')] };
    const b = new Aggregator(after);
    const m = b.restoreFromRecords(JSON.parse(log.metas.get(0) as string) as PartitionMeta, log.of(0), 0);
    assert.deepEqual(m.migrated, ['window 60000 ms → 120000 ms', 'meter req changed (r|delta|sum|1|60|3600| → r|delta|sum|2|60|3600|)', 'meter gone removed']);
    // The open [60 s, 120 s) under the old meanings: req 2 (factor 1), bw 50; gone dropped.
    assert.deepEqual(m.parts.map((p) => [p.meter, (p.windowStartMs - T0) / S, (p.windowEndMs - T0) / S, p.state.sum]), [['req', 60, 120, '2'], ['bw', 60, 120, '50']]);
    // After the change: 130 s falls in [120 s, 240 s); req 3 × 2 = 6; bw 175 − 150 = 25 (the carried baseline, not a new one).
    b.add(sample('a', T0 + 130 * S, { r: '3', net: '175' }), { partition: 0, offset: '2' }, 0);
    assert.deepEqual(b.flushAll().map((p) => [p.meter, (p.windowStartMs - T0) / S, p.state.sum]), [['req', 120, '6'], ['bw', 120, '25']]);
    // The next commit deletes every record read (written under the old configuration) and
    // writes the state anew: only a's baselines are left (net 175 at 130 s).
    const tombstones = log.tombstones;
    log.commit(b, [0]);
    assert.equal(log.tombstones - tombstones, read.length);
    assert.deepEqual(log.keys(0), ['0#k/a']);
    assert.deepEqual(decodeCounters(log.of(0).get('0#k/a') as Buffer), [['net', T0 + 130 * S, '175']]);
    const meta = JSON.parse(log.metas.get(0) as string) as PartitionMeta;
    assert.deepEqual([meta.version, meta.windowMs, meta.order], [3, 2 * MIN, ['req', 'bw']]);
  });
}

test('unchanged configuration: a plain restore, nothing emitted', () => {
  const c: AggregatorConfig = { ...base, windowMs: MIN, meters: [meter('req', 'r', 'delta', 'sum')] };
  const a = new Aggregator(c);
  a.add(sample('a', T0, { r: '4' }), { partition: 0, offset: '0' }, 0);
  const log = new ChangelogModel();
  log.commit(a, [0]);
  const b = new Aggregator(c);
  const m = b.restoreFromRecords(JSON.parse(log.metas.get(0) as string) as PartitionMeta, log.of(0), 0);
  assert.deepEqual(m, { parts: [], migrated: [] });
  // Nothing to rewrite: the next commit hands no record.
  const writes = log.writes;
  log.commit(b, [0]);
  assert.equal(log.writes, writes);
  assert.deepEqual(b.flushAll().map((p) => p.state.sum), ['4']);
});

test('meters reordered in the catalogue: no migration, format-4 records read through the meta\'s order', () => {
  const req = meter('req', 'r', 'delta', 'sum');
  const peak = meter('peak', 'cpu', 'gauge', 'max');
  const a = new Aggregator({ ...base, windowMs: MIN, meters: [req, peak] });
  a.add(sample('a', T0, { r: '4', cpu: '7' }), { partition: 0, offset: '0' }, 0);
  const log = new ChangelogModel();
  log.commit(a, [0]);
  const b = new Aggregator({ ...base, windowMs: MIN, meters: [peak, req] });
  const m = b.restoreFromRecords(JSON.parse(log.metas.get(0) as string) as PartitionMeta, log.of(0), 0);
  assert.deepEqual(m, { parts: [], migrated: [] });
  // req 4 and peak 7 stay with their meters (parts in the new config order: peak, then req).
  assert.deepEqual(b.flushAll().map((p) => [p.meter, p.state.sum, p.state.max]), [['peak', '0', '7'], ['req', '4', undefined]]);
});

test('a meter rebuilt from its signature has the same signature', () => {
  const m = meter('ip', 'public_ips', 'gauge', 'integral', { perSeconds: '3600', factor: '1e-9', label: 'dc|x' });
  assert.equal(signature(meterFromSignature('ip', signature(m))), signature(m));
});

test('a migration of a partition holding 150 000 servers restores (no argument list as long as the servers)', () => {
  // Each server: one open window of req = 1 (format-4 records). The window changes, so the
  // restore migrates: every open window is emitted under the old window, one part per server.
  const SERVERS = 150_000;
  const before: AggregatorConfig = { ...base, windowMs: MIN, meters: [meter('req', 'r', 'delta', 'sum')] };
  const a = new Aggregator(before);
  for (let i = 0; i < SERVERS; i++) a.add(sample(`s${i}`, T0, { r: '1' }), { partition: 0, offset: String(i) }, 0);
  const log = new ChangelogModel();
  log.commit(a, [0]);
  assert.equal(log.keys(0).length, SERVERS);
  const b = new Aggregator({ ...before, windowMs: 2 * MIN });
  const m = b.restoreFromRecords(JSON.parse(log.metas.get(0) as string) as PartitionMeta, log.of(0), 0);
  assert.equal(m.parts.length, SERVERS);
  assert.ok(m.parts.every((p) => p.meter === 'req' && p.state.sum === '1' && p.windowEndMs - p.windowStartMs === MIN));
});
