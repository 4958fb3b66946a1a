// Incremental state (pipeline/aggregation/changes.ts): what drainChanges returns, applied to a
// compacted "changelog" (newest record per key, tombstones delete), must restore a partition
// that continues exactly like the uninterrupted aggregator — also across emitted windows
// (not rewritten), emitted corrections (epoch) and swept servers (tombstones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { PartitionMeta, ServerRecord } from '../../../pipeline/aggregation/changes.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { encodePacked, isPacked } from '../../../pipeline/aggregation/record-codec.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;

/**
 * A compacted changelog in memory: partition → meta, and partition → server → record: JSON
 * (format 2), binary (format 3), or mixed (every other write JSON: an upgrade in place).
 */
class Changelog {
  metas = new Map<number, string>();
  servers = new Map<number, Map<string, Buffer>>();
  writes = 0;

  constructor(private readonly format: 'json' | 'packed' | 'mixed' = 'json') {}

  private encode(r: ServerRecord): Buffer {
    const json = this.format === 'json' || (this.format === 'mixed' && this.writes % 2 === 0);
    this.writes++;
    return json ? Buffer.from(JSON.stringify(r)) : encodePacked(r);
  }

  commit(agg: Aggregator, partitions: readonly number[]): void {
    for (const p of partitions) {
      const c = agg.drainChanges(p);
      if (c === undefined) continue;
      this.metas.set(p, JSON.stringify(c.meta));
      const mine = this.servers.get(p) ?? new Map<string, Buffer>();
      this.servers.set(p, mine);
      for (const r of c.upserts) mine.set(r.serverId, this.encode(r));
      for (const id of c.removed) mine.delete(id);
      this.writes += c.removed.length;
    }
  }

  restoreInto(agg: Aggregator, p: number, nowMs: number): void {
    const meta = this.metas.get(p);
    if (meta === undefined) return;
    const records = [...(this.servers.get(p)?.values() ?? [])].map((b) => (isPacked(b) ? b : (JSON.parse(b.toString('utf8')) as ServerRecord)));
    agg.restoreFromRecords(JSON.parse(meta) as PartitionMeta, records, nowMs);
  }
}

type Event = { kind: 'add'; p: number; srv: string; sec: number; v: number } | { kind: 'tick'; now: number };

function events(count: number, servers: number): Event[] {
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

function apply(agg: Aggregator, evs: readonly Event[], from: number, to: number): RollupPart[] {
  const out: RollupPart[] = [];
  for (let i = from; i < to; i++) {
    const e = evs[i] as Event;
    if (e.kind === 'tick') out.push(...agg.tick(e.now));
    else out.push(...agg.add(sample(e.srv, T0 + e.sec * S, { r: String(e.v), net: String(e.v * 1000), cpu: String(e.v % 10) }, { labels: { dc: `dc${e.v % 4}` } }), { partition: e.p, offset: String(i) }, i * 10));
  }
  return out;
}

const config = (extra: Partial<AggregatorConfig> = {}): AggregatorConfig => ({
  meters: [meter('req', 'r', 'delta', 'sum'), meter('bw', 'net', 'counter', 'sum', { factor: '1e-9' }), meter('peak', 'cpu', 'gauge', 'max'), meter('dcs', 'cpu', 'gauge', 'unique', { label: 'dc' })],
  windowMs: MIN,
  allowedLatenessMs: 20 * S,
  idleTimeoutMs: 1000,
  ...extra,
});

for (const [extra, format] of [[{}, 'json'], [{ counterIdleMs: 5 * MIN, maxPendingCorrections: 3 }, 'json'], [{}, 'packed'], [{ counterIdleMs: 5 * MIN, maxPendingCorrections: 3 }, 'mixed']] as const) {
  test(`restore from the incremental changelog mid-stream gives exactly the uninterrupted output ${JSON.stringify(extra)} ${format}`, () => {
    const evs = events(900, 6);
    const whole = new Aggregator(config(extra));
    const expected = [...apply(whole, evs, 0, evs.length), ...whole.flushAll()];
    assert.ok(expected.some((p) => p.correction), 'the stream has corrections');
    for (const cut of [1, 97, 400, 777]) {
      const log = new Changelog(format);
      const first = new Aggregator(config(extra));
      const before: RollupPart[] = [];
      // Commits every 13 events: the changelog sees each server's newest state at each commit.
      for (let i = 0; i < cut; i += 13) {
        before.push(...apply(first, evs, i, Math.min(cut, i + 13)));
        log.commit(first, [0, 1]);
      }
      const second = new Aggregator(config(extra));
      log.restoreInto(second, 0, cut * 10);
      log.restoreInto(second, 1, cut * 10);
      const after = [...apply(second, evs, cut, evs.length), ...second.flushAll()];
      assert.deepEqual([...before, ...after], expected, `cut at ${cut}`);
    }
  });
}

test('a commit writes only the servers that received samples since the previous one', () => {
  const agg = new Aggregator(config());
  agg.add(sample('a', T0, { r: '1' }), { partition: 0, offset: '0' }, 0);
  agg.add(sample('b', T0, { r: '2' }), { partition: 0, offset: '1' }, 0);
  assert.deepEqual(agg.drainChanges(0)?.upserts.map((r) => r.serverId).sort(), ['a', 'b']);
  agg.add(sample('b', T0 + S, { r: '3' }), { partition: 0, offset: '2' }, 0);
  const c = agg.drainChanges(0);
  assert.deepEqual(c?.upserts.map((r) => r.serverId), ['b']);
  // b's one open window holds 2 + 3 = 5 requests.
  assert.equal(c?.upserts[0]?.open[0]?.accs['req']?.sum, '5');
  assert.deepEqual(agg.drainChanges(0)?.upserts, []);
});

test('servers holding nothing are swept: memory and changelog stay bounded by live servers', () => {
  // Gauge only (no counter baselines): once a server's windows are emitted it holds nothing.
  const agg = new Aggregator({ ...config(), meters: [meter('peak', 'cpu', 'gauge', 'max')], allowedLatenessMs: 0 });
  const log = new Changelog();
  // 200 servers each report once, in minute i/10; then 30 minutes of one server only.
  for (let i = 0; i < 200; i++) agg.add(sample(`old${i}`, T0 + Math.floor(i / 10) * MIN, { cpu: '1' }), { partition: 0, offset: String(i) }, 0);
  log.commit(agg, [0]);
  // Minute 10's first sample moved the watermark to T0+10min: minutes 0..9 (servers old0..old99)
  // were emitted, and the closed point crossed a sweep boundary (10 windows), so those servers
  // were dropped before any commit wrote them. old100..old199 are still open.
  assert.equal(log.servers.get(0)?.size, 100);
  for (let m = 0; m < 30; m++) agg.add(sample('live', T0 + (20 + m) * MIN, { cpu: '2' }), { partition: 0, offset: String(200 + m) }, 0);
  log.commit(agg, [0]);
  // Sweeps run every 10 windows of event time: every old server was emitted and dropped, and
  // tombstoned; only "live" (its current window open) is left.
  assert.deepEqual([...(log.servers.get(0)?.keys() ?? [])], ['live']);
  const restored = new Aggregator({ ...config(), meters: [meter('peak', 'cpu', 'gauge', 'max')], allowedLatenessMs: 0 });
  log.restoreInto(restored, 0, 0);
  assert.deepEqual(restored.flushAll().map((p) => [p.serverId, (p.windowStartMs - T0) / MIN, p.state.max]), [['live', 49, '2']]);
});

test('a swept server leaves no cached window cuts behind (split points configured)', () => {
  // A cut at 30 s into every minute: each server's current window is cached by the segmenter.
  const cuts = (_id: string, start: number) => [start + 30_000];
  const agg = new Aggregator({ ...config(), meters: [meter('peak', 'cpu', 'gauge', 'max')], allowedLatenessMs: 0, splitPoints: cuts });
  for (let i = 0; i < 50; i++) agg.add(sample(`old${i}`, T0, { cpu: '1' }), { partition: 0, offset: String(i) }, 0);
  assert.equal(agg.cachedCuts(), 50);
  // 20 minutes of one server: old* windows are emitted at minute 1 and swept at the 10-window
  // boundary; only "live" may still have cuts cached.
  for (let m = 1; m <= 20; m++) agg.add(sample('live', T0 + m * MIN, { cpu: '2' }), { partition: 0, offset: String(100 + m) }, 0);
  assert.equal(agg.cachedCuts(), 1);
});
