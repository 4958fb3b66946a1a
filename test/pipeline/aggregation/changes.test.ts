// Incremental state (changelog format 4: state-keys.ts, window-codec.ts): what drainChanges hands,
// applied to a compacted changelog (newest record per key, tombstones delete: changelog-model.ts),
// must restore a partition that continues exactly like the uninterrupted aggregator — also across
// emitted windows and corrections (tombstoned) and swept servers; and an upgrade in place from
// the server records of formats 2 (JSON) and 3 (binary) must continue exactly as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { PartitionMeta } from '../../../pipeline/aggregation/changes.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { decodeSegment } from '../../../pipeline/aggregation/window-codec.js';
import { ChangelogModel } from './changelog-model.js';
import { apply, config, events, S } from './event-stream.js';
import { meter, sample, T0, MIN } from './helpers.js';

const COMMIT_EVERY = 13;
const busy = { counterIdleMs: 5 * MIN, maxPendingCorrections: 3 };

/** Events [from, to) with a commit of both partitions every COMMIT_EVERY events (and at `to`). */
function run(agg: Aggregator, log: ChangelogModel, evs: Parameters<typeof apply>[1], from: number, to: number, afterCommit?: () => void): RollupPart[] {
  const out: RollupPart[] = [];
  for (let i = from; i < to; i += COMMIT_EVERY) {
    out.push(...apply(agg, evs, i, Math.min(to, i + COMMIT_EVERY)));
    log.commit(agg, [0, 1]);
    afterCommit?.();
  }
  return out;
}

const variants: Array<[Partial<AggregatorConfig>, 'format 4' | 'json' | 'packed' | 'mixed']> = [
  [{}, 'format 4'],
  [busy, 'format 4'],
  [{}, 'json'],
  [busy, 'json'],
  [{}, 'packed'],
  [busy, 'mixed'],
];

for (const [extra, format] of variants) {
  test(`restore from the changelog mid-stream gives exactly the uninterrupted output ${JSON.stringify(extra)} ${format}`, () => {
    const evs = events(900, 6);
    const whole = new Aggregator(config(extra));
    const expected = [...apply(whole, evs, 0, evs.length), ...whole.flushAll()];
    assert.ok(expected.some((p) => p.correction), 'the stream has corrections');
    for (const cut of [1, 97, 400, 777]) {
      const log = new ChangelogModel();
      const first = new Aggregator(config(extra));
      const before = run(first, log, evs, 0, cut);
      // The legacy variants: at the cut the changelog holds what a version before format 4
      // wrote (a record per server), and the restore is an upgrade in place.
      const legacy = format !== 'format 4';
      if (legacy) for (const p of first.partitions()) log.writeLegacy(first, p, format);
      if (legacy) assert.ok(log.keys(0).some((k) => k.startsWith('0/')), `cut ${cut}: server records to upgrade`);
      const second = new Aggregator(config(extra));
      log.restoreInto(second, 0, cut * 10);
      log.restoreInto(second, 1, cut * 10);
      // Restored again from what the second process committed (format 4 only, after an upgrade).
      const cut2 = Math.min(evs.length, cut + 150);
      let commits = 0;
      const middle = run(second, log, evs, cut, cut2, () => {
        if (commits++ > 0) return;
        for (const p of [0, 1]) assert.deepEqual(log.keys(p).filter((k) => /^\d+\//.test(k)), [], `cut ${cut}: the first commit after the restore deletes every server record`);
      });
      const third = new Aggregator(config(extra));
      log.restoreInto(third, 0, cut2 * 10);
      log.restoreInto(third, 1, cut2 * 10);
      const after = [...apply(third, evs, cut2, evs.length), ...third.flushAll()];
      assert.deepEqual([...before, ...middle, ...after], expected, `cut at ${cut}`);
    }
  });
}

test('a commit writes only the windows and counters that changed since the previous one', () => {
  const agg = new Aggregator(config());
  const drain = (): Array<[string, Buffer | null]> => {
    const out: Array<[string, Buffer | null]> = [];
    agg.drainChanges(0, (k, v) => out.push([k, v]));
    return out;
  };
  const keys = (records: Array<[string, Buffer | null]>): string[] => records.map(([k]) => k).sort();
  agg.add(sample('a', T0, { r: '1' }), { partition: 0, offset: '0' }, 0);
  agg.add(sample('b', T0, { r: '2' }), { partition: 0, offset: '1' }, 0);
  assert.deepEqual(keys(drain()), [`0#o${T0}/a`, `0#o${T0}/b`]);
  agg.add(sample('b', T0 + S, { r: '3' }), { partition: 0, offset: '2' }, 0);
  const c = drain();
  assert.deepEqual(keys(c), [`0#o${T0}/b`]);
  // b's window holds 2 + 3 = 5 requests, from offsets 1 to 2.
  const order = (agg.metaOf(0) satisfies PartitionMeta).order ?? [];
  assert.deepEqual(decodeSegment(c[0]?.[1] as Buffer, order), {
    startMs: T0,
    endMs: T0 + MIN,
    accs: { req: { count: 2, sum: '5', firstOffset: '1', lastOffset: '2' } },
  });
  assert.deepEqual(drain(), []);
  // A counter reading (a new baseline) and a sample in b's next window: that window and b's
  // counters; b's first window is not rewritten.
  agg.add(sample('b', T0 + MIN + S, { r: '1', net: '100' }), { partition: 0, offset: '3' }, 0);
  assert.deepEqual(keys(drain()), [`0#k/b`, `0#o${T0 + MIN}/b`]);
  // A counter reading not newer than its series changes nothing: no record at all.
  agg.add(sample('b', T0 + MIN + S, { net: '999' }), { partition: 0, offset: '4' }, 0);
  assert.deepEqual(drain(), []);
});

test('server ids holding "/", "#" or a key\'s shape, and windows before 1970, survive a restore from the changelog', () => {
  const ids = ['a/b', '#o5/', '0#k/x', 'ü-服务器', ''];
  const feed = (agg: Aggregator, from: number, to: number): RollupPart[] => {
    const out: RollupPart[] = [];
    for (let i = from; i < to; i++) {
      const id = ids[i % ids.length] as string;
      const ts = -3 * MIN + i * 7 * S; // from 3 minutes before the epoch
      out.push(...agg.add(sample(id, ts, { r: String(i), net: String(i * 10) }), { partition: 0, offset: String(i) }, 0));
    }
    return out;
  };
  const whole = new Aggregator(config());
  const expected = [...feed(whole, 0, 60), ...whole.flushAll()];
  const first = new Aggregator(config());
  const log = new ChangelogModel();
  const before = feed(first, 0, 20);
  log.commit(first, [0]);
  assert.ok(log.keys(0).includes(`0#o${-2 * MIN}/#o5/`) && log.keys(0).includes('0#k/0#k/x'), log.keys(0).join());
  const second = new Aggregator(config());
  log.restoreInto(second, 0, 0);
  assert.deepEqual([...before, ...feed(second, 20, 60), ...second.flushAll()], expected);
});

test('servers holding nothing are swept: memory and changelog stay bounded by live servers', () => {
  // Gauge only (no counter baselines): once a server's windows are emitted it holds nothing.
  const gauge = { ...config(), meters: [meter('peak', 'cpu', 'gauge', 'max')], allowedLatenessMs: 0 };
  const agg = new Aggregator(gauge);
  const log = new ChangelogModel();
  // 200 servers each report once, in minute i/10; then 30 minutes of one server only.
  for (let i = 0; i < 200; i++) agg.add(sample(`old${i}`, T0 + Math.floor(i / 10) * MIN, { cpu: '1' }), { partition: 0, offset: String(i) }, 0);
  log.commit(agg, [0]);
  // No lateness: the watermark is the newest event time, minute 19, so minutes 0..18 (old0..old189)
  // were emitted before any commit wrote them (no record, no tombstone); minute 10's first sample
  // also crossed a sweep boundary (10 windows), dropping old0..old99. Only minute 19 is open.
  const open = Array.from({ length: 10 }, (_, j) => `0#o${T0 + 19 * MIN}/old${190 + j}`);
  assert.deepEqual(log.keys(0), open);
  assert.equal(log.tombstones, 0);
  assert.equal(agg.serverCount(0), 100);
  for (let m = 0; m < 30; m++) agg.add(sample('live', T0 + (20 + m) * MIN, { cpu: '2' }), { partition: 0, offset: String(200 + m) }, 0);
  log.commit(agg, [0]);
  // Every old window was emitted: the 10 written are deleted; live's emitted windows were never
  // written; only live's current window (minute 49) is left, and the sweeps (minutes 20, 30, 40)
  // forgot every old server.
  assert.deepEqual(log.keys(0), [`0#o${T0 + 49 * MIN}/live`]);
  assert.equal(log.tombstones, 10);
  assert.equal(agg.serverCount(0), 1);
  const restored = new Aggregator(gauge);
  log.restoreInto(restored, 0, 0);
  assert.deepEqual(restored.flushAll().map((p) => [p.serverId, (p.windowStartMs - T0) / MIN, p.state.max]), [['live', 49, '2']]);
});

test('a swept server leaves no cached window cuts behind (split points configured)', () => {
  // A cut at 30 s into every minute: each server's current window is cached by the segmenter.
  const cuts = (_id: string, start: number): number[] => [start + 30_000];
  const agg = new Aggregator({ ...config(), meters: [meter('peak', 'cpu', 'gauge', 'max')], allowedLatenessMs: 0, splitPoints: cuts });
  for (let i = 0; i < 50; i++) agg.add(sample(`old${i}`, T0, { cpu: '1' }), { partition: 0, offset: String(i) }, 0);
  assert.equal(agg.cachedCuts(), 50);
  // 20 minutes of one server: old* windows are emitted at minute 1 and swept at the 10-window
  // boundary; only "live" may still have cuts cached.
  for (let m = 1; m <= 20; m++) agg.add(sample('live', T0 + m * MIN, { cpu: '2' }), { partition: 0, offset: String(100 + m) }, 0);
  assert.equal(agg.cachedCuts(), 1);
});
