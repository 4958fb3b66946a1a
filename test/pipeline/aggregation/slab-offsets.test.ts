// Source offsets kept once per slab row (slab-offsets.ts) with per-cell exceptions: meters of a
// row whose first / last offsets diverge (a sample carrying some metrics only, a counter
// reading not newer than its series, a meter opened by a later sample, offsets kept as text)
// must give every part exactly the lineage it had with a pair per cell — also after a restore
// from a snapshot, from format-4 changelog records or from format-3 (legacy) server records. Expectations are worked by hand in the
// comments, or come from a reference model that lists the offsets fed to each cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import { compileMeter } from '../../../pipeline/aggregation/accumulator.js';
import { offsetNumber, Slab } from '../../../pipeline/aggregation/slab.js';
import { ChangelogModel } from './changelog-model.js';
import { meter, sample, T0, MIN } from './helpers.js';

const S = 1000;
const meters = [
  meter('s', 'a', 'delta', 'sum'),
  meter('mx', 'b', 'gauge', 'max'),
  meter('lt', 'b', 'gauge', 'latest'),
  meter('ctr', 'c', 'counter', 'sum'),
  meter('ip', 'd', 'gauge', 'integral', { perSeconds: '3600', intervalS: '60' }),
];
const config = { meters, windowMs: MIN, allowedLatenessMs: 2 * MIN, idleTimeoutMs: 3_600_000 };

/** meter → [count, first offset, last offset] of one server's parts. */
const lineage = (parts: readonly RollupPart[]): Record<string, [number, string, string]> =>
  Object.fromEntries(parts.map((p) => [p.meter, [p.state.count, p.source?.firstOffset ?? '', p.source?.lastOffset ?? '']]));

/**
 * A copy of the aggregator through changelog records of partition 0: format 4 (a record per
 * window, written from the slab), or format 3 (a binary record per server, as before).
 */
function viaRecords(agg: Aggregator, format: 'format 4' | 'packed' = 'format 4'): Aggregator {
  const log = new ChangelogModel();
  agg.markAllChanged(0); // a fresh changelog: every record, not only those changed since the last drain
  log.commit(agg, [0]);
  if (format === 'packed') log.writeLegacy(agg, 0, 'packed');
  assert.ok(log.keys(0).length > 0);
  const copy = new Aggregator(config);
  log.restoreInto(copy, 0, 0);
  return copy;
}

/** A copy through a JSON snapshot. */
function viaSnapshot(agg: Aggregator): Aggregator {
  const copy = new Aggregator(config);
  copy.restore(JSON.parse(JSON.stringify(agg.snapshot())) as ReturnType<Aggregator['snapshot']>, 0);
  return copy;
}

test('meters fed by different samples of a row keep their own first and last offsets, also across restores', () => {
  const feed = (agg: Aggregator, sec: number, metrics: Record<string, string>, off: string): void =>
    void agg.add(sample('srv', T0 + sec * S, metrics), { partition: 0, offset: off }, 0);
  const first = (agg: Aggregator): void => {
    feed(agg, 1, { a: '1', b: '1', c: '100', d: '1' }, '10'); // every meter: (10, 10)
    feed(agg, 2, { a: '2' }, '11'); // s: (10, 11); the others stay (10, 10)
    feed(agg, 3, { b: '3', c: '130' }, '12'); // mx, lt, ctr: (10, 12); s (10, 11); ip (10, 10)
    // c at 3 s is not newer than its series (3 s): ctr is skipped and keeps (10, 12)
    feed(agg, 3, { a: '4', b: '4', c: '999', d: '4' }, '13');
  };
  const rest = (agg: Aggregator): void => {
    feed(agg, 4, { a: '5', b: '5', c: '150', d: '5' }, '14'); // every meter's last: 14
    feed(agg, 5, { a: '6' }, '15'); // s's last: 15
  };
  const a = new Aggregator(config);
  first(a);
  const b = viaSnapshot(a);
  const c = viaRecords(a);
  const d = viaRecords(a, 'packed');
  for (const agg of [a, b, c, d]) rest(agg);
  const pa = a.flushAll();
  // s fed by 10, 11, 13, 14, 15; mx and lt by 10, 12, 13, 14; ctr by 10, 12, 14 (13 skipped);
  // ip by 10, 13, 14.
  assert.deepEqual(lineage(pa), {
    s: [5, '10', '15'],
    mx: [4, '10', '14'],
    lt: [4, '10', '14'],
    ctr: [3, '10', '14'],
    ip: [3, '10', '14'],
  });
  assert.deepEqual(b.flushAll(), pa);
  assert.deepEqual(c.flushAll(), pa);
  assert.deepEqual(d.flushAll(), pa);
});

test('a meter first fed by a later sample starts at that sample; text and far offsets diverge exactly', () => {
  const a = new Aggregator(config);
  const feed = (sec: number, metrics: Record<string, string>, off: string): void =>
    void a.add(sample('srv', T0 + sec * S, metrics), { partition: 0, offset: off }, 0);
  feed(1, { a: '1' }, 'x-7'); // a text offset opens the row: s (x-7, x-7)
  feed(2, { a: '1', b: '2' }, '5'); // mx, lt open: (5, 5); s (x-7, 5)
  feed(3, { b: '2', d: '3' }, '007'); // "007" is no canonical decimal: text. mx, lt (5, 007); ip (007, 007)
  feed(4, { a: '1', b: '2', d: '3' }, '9000000000'); // 9·10^9 − 5 is over 31 bits from the row's 5
  feed(5, { c: '1' }, '123456789012345678901'); // 21 digits: text; ctr (…901, …901)
  assert.deepEqual(lineage(a.flushAll()), {
    s: [3, 'x-7', '9000000000'],
    mx: [3, '5', '9000000000'],
    lt: [3, '5', '9000000000'],
    ctr: [1, '123456789012345678901', '123456789012345678901'],
    ip: [2, '007', '9000000000'],
  });
});

test('a row whose meters agree again keeps one pair, and a freed row keeps nothing aside', () => {
  const slab = new Slab(meters.map(compileMeter));
  const row = slab.alloc(0, 0, MIN);
  const feed = (ms: readonly number[], off: number): void => {
    for (const m of ms) {
      slab.enter(row, m);
      slab.incCount(row, m);
    }
    slab.stamp(row, off, String(off));
  };
  feed([0, 1, 2, 3, 4], 10);
  assert.deepEqual([slab.offsets.mixed[row], slab.offsets.own.size], [0, 0]);
  feed([0, 1, 2, 4], 11); // meter 3 (a counter, say) skipped: it keeps (10, 10), aside
  assert.equal(slab.offsets.mixed[row], 1);
  assert.equal(slab.offsets.own.size, 2); // its first and its last
  assert.deepEqual([slab.offset(row, 3, false), slab.offset(row, 3, true), slab.offset(row, 0, true)], ['10', '10', '11']);
  feed([0, 1, 2, 3, 4], 12); // every meter (10, 12) again: one pair
  assert.deepEqual([slab.offsets.mixed[row], slab.offsets.own.size], [0, 0]);
  feed([0], 13); // four of five keep (10, 12): meter 0 goes aside with (10, 13)
  assert.deepEqual([0, 1, 2, 3, 4].map((m) => slab.offset(row, m, true)), ['13', '12', '12', '12', '12']);
  assert.equal(slab.offsets.own.size, 2);
  slab.free(row);
  assert.deepEqual([slab.offsets.mixed[row], slab.offsets.own.size, slab.offsets.aside.size], [0, 0, 0]);
});

/** A deterministic pseudo-random stream (LCG), so a failure replays. */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => (x = (x * 1103515245 + 12345) % 2147483648) % n;
}

test('lineage and counts of every part match the offsets fed to each cell (reference model, restores on the way)', () => {
  const metricsOf = ['a', 'b', 'c', 'd'];
  const metricOfMeter = meters.map((m) => m.metric);
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = rng(seed);
    const a = new Aggregator(config);
    let b = new Aggregator(config);
    // Reference: per cell key (server@windowStart@meter), the offsets fed since its last part;
    // per counter series (server@metric), the newest ts applied.
    const fed = new Map<string, string[]>();
    const seriesTs = new Map<string, number>();
    const check = (parts: readonly RollupPart[]): void => {
      for (const p of parts) {
        const key = `${p.serverId}@${p.windowStartMs}@${p.meter}`;
        const offs = fed.get(key) ?? [];
        assert.deepEqual([p.state.count, p.source?.firstOffset, p.source?.lastOffset], [offs.length, offs[0], offs[offs.length - 1]], `seed ${seed} ${key}`);
        fed.delete(key);
      }
    };
    let clock = 0;
    for (let i = 0; i < 400; i++) {
      clock += rnd(15);
      const sec = rnd(8) === 0 ? Math.max(0, clock - rnd(400)) : clock; // some late: corrections
      const srv = `s${rnd(3)}`;
      const metrics: Record<string, string> = {};
      for (const k of metricsOf) if (rnd(5) < 3) metrics[k] = String(rnd(1000));
      if (Object.keys(metrics).length === 0) metrics['a'] = '1';
      const kind = rnd(20);
      const offset = kind === 0 ? `x${i}` : kind === 1 ? `0${i}` : kind === 2 ? String(5_000_000_000 + i) : String(1000 + i);
      const tsMs = T0 + sec * S;
      const windowStart = Math.floor(tsMs / MIN) * MIN;
      meters.forEach((m, j) => {
        const metric = metricOfMeter[j] as string;
        if (metrics[metric] === undefined) return;
        if (m.kind === 'counter') {
          const sk = `${srv}@${metric}`;
          if ((seriesTs.get(sk) ?? -Infinity) >= tsMs) return; // not newer: nothing
          seriesTs.set(sk, tsMs);
        }
        const key = `${srv}@${windowStart}@${m.name}`;
        fed.set(key, [...(fed.get(key) ?? []), offset]);
      });
      const s = sample(srv, tsMs, metrics);
      const pa = a.add(s, { partition: 0, offset }, 0);
      assert.deepEqual(b.add(s, { partition: 0, offset }, 0), pa, `seed ${seed} sample ${i}`);
      check(pa);
      if (rnd(40) === 0) b = rnd(2) === 0 ? viaSnapshot(b) : viaRecords(b, i % 2 === 0 ? 'format 4' : 'packed');
    }
    const pa = a.flushAll();
    assert.deepEqual(b.flushAll(), pa);
    check(pa);
    assert.deepEqual([...fed.keys()], [], 'every offset fed ends in a part');
  }
});

test('offsetNumber: only canonical decimals of at most 15 digits are numbers', () => {
  assert.deepEqual(['0', '7', '123456789012345', '1234567890123456', '07', '', '1e3', '-1'].map((t) => offsetNumber(t)), [0, 7, 123456789012345, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
});

test('first offsets held as 32-bit differences from the slab’s base widen to doubles, once, when one lies 2^31 away', () => {
  const slab = new Slab([compileMeter(meter('s', 'a', 'delta', 'sum'))], 64);
  const feed = (row: number, off: string): void => {
    slab.enter(row, 0);
    slab.incCount(row, 0); // as the aggregator's addTo does: the cell is no longer new
    slab.stamp(row, offsetNumber(off), off);
  };
  const base = 5_000_000_000; // over 32 bits itself: only differences are stored
  const rows = Array.from({ length: 10 }, (_, i) => {
    const row = slab.alloc(i, 0, 60_000);
    feed(row, String(base + 100 * i - 300)); // differences −300 … +600 from the base
    feed(row, String(base + 100 * i - 250));
    return row;
  });
  const text = slab.alloc(10, 0, 60_000);
  feed(text, 'x-1'); // a text first, aside
  feed(text, String(base));
  const pairs = (): string[][] => [...rows, text].map((r) => [slab.offset(r, 0, false), slab.offset(r, 0, true)]);
  const expected = [...rows.map((_, i) => [String(base + 100 * i - 300), String(base + 100 * i - 250)]), ['x-1', String(base)]];
  assert.equal(slab.offsets.first.BYTES_PER_ELEMENT, 4);
  assert.deepEqual(pairs(), expected);
  const far = slab.alloc(11, 0, 60_000);
  feed(far, String(base - 300 + 2 ** 31)); // 2^31 − 0 from the base (the first stored): does not fit
  assert.equal(slab.offsets.first.BYTES_PER_ELEMENT, 8, 'widened');
  assert.deepEqual(pairs(), expected, 'every row keeps its pair');
  assert.deepEqual([slab.offset(far, 0, false), slab.offset(far, 0, true)], [String(base - 300 + 2 ** 31), String(base - 300 + 2 ** 31)]);
  const near = slab.alloc(12, 0, 60_000);
  feed(near, '7');
  assert.deepEqual([slab.offset(near, 0, false), slab.offset(near, 0, true)], ['7', '7']);
});
