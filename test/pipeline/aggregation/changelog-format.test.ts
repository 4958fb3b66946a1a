// The unit of the format-4 changelog is a window (state-keys.ts): after every commit the
// compacted changelog holds exactly one record per open segment, per pending correction and per
// server with counter baselines — their values equal to the aggregator's snapshot — and nothing
// of emitted windows or swept servers; a commit writes the windows that changed, not every open
// window of their servers; an upgrade deletes every server record at the first commit; and
// without drains (meterline bill) the changes kept for a drain stay bounded by the live state.
// References: changelog-reference.ts (from the snapshot, keys spelt by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import { ChangelogModel } from './changelog-model.js';
import { entries, expectedRecords, storedRecords } from './changelog-reference.js';
import { apply, config, events, S } from './event-stream.js';
import { sample, T0, MIN } from './helpers.js';

test('after each commit (and across restarts) the changelog holds exactly the open windows, pending corrections and counter servers', () => {
  const evs = events(1500, 6);
  // Counter series idle for 2 minutes are swept with their server: servers come and go.
  const cfg = config({ counterIdleMs: 2 * MIN, maxPendingCorrections: 3 });
  let agg = new Aggregator(cfg);
  const log = new ChangelogModel();
  const seen = { corrections: 0, counterKeysDeleted: 0 };
  let before: string[] = [];
  for (let i = 0; i < evs.length; i += 13) {
    // Now and then the process restarts from the changelog: restored records must be deleted
    // as well when their window is emitted or their server swept.
    if (i % (13 * 20) === 13 * 19) {
      agg = new Aggregator(cfg);
      for (const p of [0, 1]) log.restoreInto(agg, p, i * 10);
    }
    apply(agg, evs, i, Math.min(evs.length, i + 13));
    log.commit(agg, [0, 1]);
    for (const p of [0, 1]) {
      assert.deepEqual(entries(storedRecords(log, p)), entries(expectedRecords(agg, p)), `after event ${i + 13}, partition ${p}`);
      seen.corrections += log.keys(p).filter((k) => k.includes('#c')).length;
    }
    const now = [...log.keys(0), ...log.keys(1)];
    seen.counterKeysDeleted += before.filter((k) => k.includes('#k/') && !now.includes(k)).length;
    before = now;
  }
  // The stream did exercise what the keys must follow: emitted windows, corrections, sweeps.
  assert.ok(log.tombstones > 100, `${log.tombstones} deletions`);
  assert.ok(seen.corrections > 0, 'corrections were pending at some commit');
  assert.ok(seen.counterKeysDeleted > 0, 'swept servers\u2019 baselines were deleted');
});

test('samples to one window of a server with 11 open windows rewrite that window only (and the counters)', () => {
  const agg = new Aggregator({ ...config(), allowedLatenessMs: 12 * MIN });
  const log = new ChangelogModel();
  for (let w = 0; w < 11; w++) agg.add(sample('a', T0 + w * MIN, { r: '1', net: String(100 + w), cpu: '1' }), { partition: 0, offset: String(w) }, 0);
  log.commit(agg, [0]);
  assert.equal(log.keys(0).length, 12); // 11 windows + the counters
  const feed = (window: number, metrics: Record<string, string>, n: number): number => {
    const writes = log.writes;
    for (let i = 1; i <= n; i++) agg.add(sample('a', T0 + window * MIN + i * S, metrics), { partition: 0, offset: String(100 + i) }, 0);
    const keys = new Set(log.keys(0));
    log.commit(agg, [0]);
    assert.deepEqual(log.keys(0), [...keys].sort(), 'no window added or deleted');
    return log.writes - writes;
  };
  // 20 samples to window 4, no counter metric: 1 record. Counter readings in window 4 are not
  // newer than the series (its newest is at 10 min): ignored, still 1. Newer readings, to the
  // last window: that window and the counters, 2.
  assert.equal(feed(4, { r: '2', cpu: '3' }, 20), 1);
  assert.equal(feed(4, { r: '2', net: '1000' }, 20), 1);
  assert.equal(feed(10, { r: '2', net: '1000' }, 20), 2);
  assert.deepEqual(entries(storedRecords(log, 0)), entries(expectedRecords(agg, 0)));
});

for (const format of ['json', 'packed', 'mixed'] as const) {
  test(`an upgrade from ${format} server records: the first commit deletes them all, then only format 4, output as uninterrupted`, () => {
    const cfg = config({ maxPendingCorrections: 100 });
    const evs = events(300, 6);
    const whole = new Aggregator(cfg);
    const expected = [...apply(whole, evs, 0, evs.length), ...whole.flushAll()];
    const first = new Aggregator(cfg);
    const before = apply(first, evs, 0, 200);
    const log = new ChangelogModel();
    for (const p of first.partitions()) log.writeLegacy(first, p, format);
    const legacy = [...log.keys(0), ...log.keys(1)];
    assert.ok(legacy.length > 4 && legacy.every((k) => /^[01]\//.test(k)), legacy.join());
    const second = new Aggregator(cfg);
    for (const p of [0, 1]) log.restoreInto(second, p, 2000);
    log.commit(second, [0, 1]);
    // Every server record deleted (nothing else was: no window emitted in between), and the
    // state written anew, record for record the snapshot's.
    assert.equal(log.tombstones, legacy.length);
    for (const p of [0, 1]) assert.deepEqual(entries(storedRecords(log, p)), entries(expectedRecords(second, p)));
    assert.ok(expectedRecords(second, 0).size > 0);
    const after = [...apply(second, evs, 200, evs.length), ...second.flushAll()];
    assert.deepEqual([...before, ...after], expected);
  });
}

test('without drains (meterline bill) 200 000 samples keep bounded pending changes: one drain writes each live record once, no deletion', () => {
  const agg = new Aggregator({ ...config({ maxPendingCorrections: 50 }), allowedLatenessMs: 2 * MIN });
  // 1000 servers × 200 one-minute windows, each server once per window; 1 sample in 50 is five
  // windows late (a correction, emitted when 50 are pending).
  for (let i = 0; i < 200_000; i++) {
    const w = Math.floor(i / 1000);
    const late = i % 50 === 7 && w > 5;
    const ts = T0 + (late ? w - 5 : w) * MIN + (i % 60) * S;
    agg.add(sample(`s${i % 1000}`, ts, { r: '1', net: String(i), cpu: String(i % 10) }), { partition: 0, offset: String(i) }, i);
  }
  const expected = new Set(expectedRecords(agg, 0).keys());
  const remaining = new Set(expected);
  // What the pending changes hold is what the drain releases: measured around it (gc first),
  // the drain's records checked as they come rather than kept.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const held = heap();
  let deletions = 0;
  const unexpected: string[] = [];
  agg.drainChanges(0, (k, v) => {
    if (v === null) deletions++;
    else if (!remaining.delete(k)) unexpected.push(k); // not a live record, or handed twice
  });
  const released = held - heap();
  // Never drained, so nothing was ever kept: no deletion. Every live record exactly once: rows
  // emitted and recycled since were not listed again, nor rows listed twice written twice.
  assert.deepEqual([deletions, unexpected, remaining.size], [0, [], 0]);
  assert.ok(agg.openSegments() >= 2000 && expected.size > agg.openSegments(), `${agg.openSegments()} open, ${expected.size} records`);
  // Bounded: a list of every row ever fed (each of the 200 000 rows allocated listed once) holds
  // ≥ 1.6 MB (8 bytes an entry; measured ≈ 1.9 MB with the compaction disabled); compacted, it
  // holds a few thousand entries (measured < 0.2 MB).
  assert.ok(released < 2 ** 20, `${released} bytes held by the pending changes`);
  // And nothing is left pending: a second drain hands nothing.
  let again = 0;
  agg.drainChanges(0, () => again++);
  assert.equal(again, 0);
});

test('a value of another format under a format-4 key is refused by name, not misread', () => {
  const agg = new Aggregator(config());
  agg.add(sample('a', T0, { r: '1' }), { partition: 0, offset: '0' }, 0);
  const log = new ChangelogModel();
  log.commit(agg, [0]);
  const key = `0#o${T0}/a`;
  const value = log.of(0).get(key);
  assert.ok(value !== undefined && value[1] === 4, 'the window record is of format 4');
  // The same bytes under the version byte of a format this code does not know.
  log.of(0).set(key, Buffer.concat([Buffer.from([0, 5]), value.subarray(2)]));
  assert.throws(() => log.restoreInto(new Aggregator(config()), 0, 0), new RegExp(`record ${key} is not of format 4 \\(starts 0005\\)`));
});
