// Parts through a sink (part-sink.ts: one reused view per part, encoded by the owner without a
// RollupPart) must reach the producer exactly as the object API's parts do. The same generated
// input — several servers and partitions (unicode and long ids), the example catalogue's meters
// plus every other aggregation kind, counters with resets, latest ties, late samples →
// corrections (timed, forced and at window crossings), idle ticks, a restore from a snapshot and
// a final flushAll — goes through two aggregators: one returning objects to owners (`emitted`),
// one handing views to owners (`emittedView`, as the role does). Every committed record (topic,
// key, value bytes, partition, order) must be equal, and every rollup value must also equal
// avsc's own encoding of the object part (serde.encode: an independent encoder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { plainSerde } from '../../../avro/serde.js';
import { rollupToRecord } from '../../../avro/records.js';
import { parseCatalog } from '../../../catalog/load.js';
import type { Meter } from '../../../catalog/types.js';
import { Aggregator, type AggregatorConfig } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import type { Sample } from '../../../pipeline/samples/sample.js';
import { PartitionOwner } from '../../../pipeline/aggregate/owner.js';
import type { Transactions, TxnRecord } from '../../../pipeline/aggregate/transaction.js';
import { meter, T0, MIN } from './helpers.js';

const TOPICS = { raw: 'metrics.raw', rollups: 'usage.rollups', dlq: 'metrics.dlq', state: 'aggregate.state' };

interface Produced {
  /** The producer's transactional id (one per input partition). */
  by: string;
  topic: string;
  key: string | null;
  value: string | null;
  partition: number | undefined;
}

/** Transactions whose producers copy every record (values are views, records refilled). */
function recording(): { transactions: Transactions; produced: Produced[] } {
  const produced: Produced[] = [];
  const transactions: Transactions = {
    client: 'rdkafka',
    open: (by: string) => ({
      init: async () => undefined,
      async transact(records: Iterable<TxnRecord>) {
        for (const r of records)
          produced.push({ by, topic: r.topic, key: r.key === null ? null : String(r.key), value: r.value === null ? null : Buffer.from(r.value).toString('hex'), partition: r.partition });
      },
      close: async () => undefined,
    }),
    close: async () => undefined,
  };
  return { transactions, produced };
}

const catalogue = parseCatalog(readFileSync(new URL('../../../examples/catalog.yaml', import.meta.url)));
const METERS: Meter[] = [
  ...Object.values(catalogue.meters),
  meter('load_latest', 'cpu_util_pct', 'gauge', 'latest', { factor: '0.5' }),
  meter('load_min', 'cpu_util_pct', 'gauge', 'min'),
  meter('temp_avg', 'temp', 'gauge', 'avg', { factor: '1.5' }),
  meter('temp_count', 'temp', 'gauge', 'count'),
  meter('regions', 'temp', 'gauge', 'unique', { label: 'region' }),
  meter('temps', 'temp', 'gauge', 'unique'),
  meter('größe', 'http_requests', 'delta', 'sum'), // non-ASCII partIds: the writer's fallback
  meter(`m${'x'.repeat(70)}`, 'disk_extra_gb', 'gauge', 'integral', { perSeconds: '7' }), // partIds of 2 length bytes
];
const CONFIG: AggregatorConfig = { meters: METERS, windowMs: MIN, allowedLatenessMs: 20_000, idleTimeoutMs: 5_000, maxPendingCorrections: 4, topic: TOPICS.raw };
const SERVERS = ['a', 'b-é', 'srv-3', '日本-1', `long-${'y'.repeat(240)}`, 'c'];
const PARTITIONS = 3;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Op = { kind: 'add'; sample: Sample; partition: number; offset: string; now: number } | { kind: 'tick' | 'commit' | 'restore'; now: number } | { kind: 'flush' };

/** The script both paths run. */
function script(seed: number, steps: number): Op[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const dec = (): string => {
    const x = r();
    if (x < 0.05) return `${Math.floor(r() * 1e9)}${Math.floor(r() * 1e9)}${Math.floor(r() * 1e6)}.${Math.floor(r() * 1000)}`; // past 2^53
    const int = Math.floor(r() * (x < 0.5 ? 100 : 1e6));
    return x < 0.7 ? String(int) : `${int}.${String(Math.floor(r() * 1000)).padStart(3, '0')}`;
  };
  const counters = new Map<string, number>();
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const ops: Op[] = [];
  let now = T0;
  let maxTs = T0;
  for (let i = 0; i < steps; i++) {
    now += Math.floor(r() * 300);
    const x = r();
    if (x < 0.03) ops.push({ kind: 'tick', now: (now += 6_000) });
    else if (x < 0.06) ops.push({ kind: 'commit', now });
    else if (i === Math.floor(steps / 2)) ops.push({ kind: 'restore', now });
    else {
      const server = pick(SERVERS);
      // Partition 2 falls silent for a while: ticks then close it as idle.
      const partition = i > steps / 3 && i < steps / 2 ? SERVERS.indexOf(server) % 2 : SERVERS.indexOf(server) % PARTITIONS;
      const late = r() < 0.1;
      const tsMs = late ? maxTs - Math.floor(r() * 5 * MIN) : r() < 0.2 ? maxTs : (maxTs += Math.floor(r() * 4_000));
      const metrics: Record<string, string> = {};
      if (r() < 0.9) {
        // Counter readings rise, and now and then reset.
        const c = r() < 0.08 ? Math.floor(r() * 100) : (counters.get(server) ?? 0) + Math.floor(r() * 1e7);
        counters.set(server, c);
        metrics.net_tx_bytes = String(c);
      }
      for (const m of ['cpu_util_pct', 'disk_extra_gb', 'public_ips', 'power_on', 'http_requests', 'temp']) if (r() < 0.8) metrics[m] = r() < 0.1 ? `-${dec()}` : dec();
      const sample: Sample = { id: `s${i}`, serverId: server, tsMs, metrics, labels: r() < 0.7 ? { region: pick(['eu', 'us', 'ü']) } : {} };
      if (r() < 0.2) sample.intervalS = pick(['15', '0.5', '120']);
      const offset = offsets[partition] ?? 0;
      offsets[partition] = offset + 1;
      ops.push({ kind: 'add', sample, partition, offset: String(offset), now });
    }
  }
  ops.push({ kind: 'commit', now }, { kind: 'flush' }, { kind: 'commit', now: now + 1 });
  return ops;
}

interface Path {
  agg: Aggregator;
  owners: PartitionOwner[];
  produced: Produced[];
  /** The object path's parts, in emission order. */
  parts: RollupPart[];
}

async function newPath(): Promise<Path> {
  const { transactions, produced } = recording();
  const owners: PartitionOwner[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const o = new PartitionOwner(p, transactions, `g-${p}`);
    await o.fence();
    o.status = 'ready';
    owners.push(o);
  }
  return { agg: new Aggregator(CONFIG), owners, produced, parts: [] };
}

/** Runs the script; `sink` true: parts as views (the role's way), else as objects. */
async function run(ops: readonly Op[], sink: boolean): Promise<Path> {
  const path = await newPath();
  const serde = plainSerde();
  const hand = (parts: readonly RollupPart[], now: number): void => {
    for (const p of parts) path.owners[p.source?.partition ?? -1]?.emitted([p], now);
    path.parts.push(...parts);
  };
  let now = T0;
  const views = { part: (v: Parameters<PartitionOwner['emittedView']>[0]) => path.owners[v.partition]?.emittedView(v, now) };
  for (const op of ops) {
    if (op.kind !== 'flush') now = op.now;
    if (op.kind === 'add') {
      const parts = sink ? path.agg.add(op.sample, { partition: op.partition, offset: op.offset }, now, views) : path.agg.add(op.sample, { partition: op.partition, offset: op.offset }, now);
      if (sink) assert.equal(parts.length, 0, 'a sink takes every part');
      hand(parts, now);
      path.owners[op.partition]?.consumed(1, String(Number(op.offset) + 1), now);
    } else if (op.kind === 'tick') hand(sink ? path.agg.tick(now, views) : path.agg.tick(now), now);
    else if (op.kind === 'flush') hand(sink ? path.agg.flushAll(views) : path.agg.flushAll(), now);
    else if (op.kind === 'restore') {
      const fresh = new Aggregator(CONFIG);
      fresh.restore(JSON.parse(JSON.stringify(path.agg.snapshot())), now);
      path.agg = fresh;
    } else for (const o of path.owners) await o.commit(path.agg, serde, TOPICS, 'g');
  }
  return path;
}

for (const seed of [1, 2, 3]) {
  test(`seed ${seed}: the sink path commits the object path's records, byte for byte, and avsc's encoding of each part`, async () => {
    const ops = script(seed, 3000);
    const objects = await run(ops, false);
    const views = await run(ops, true);
    // The input covered what it is meant to: corrections, both id shapes, every kind of state.
    const parts = objects.parts;
    assert.ok(parts.filter((p) => p.correction).length > 20, 'corrections');
    assert.ok(parts.some((p) => p.meter === 'größe') && parts.some((p) => p.partId.length > 64), 'non-ASCII and long partIds');
    assert.ok(parts.some((p) => p.state.latest !== undefined) && parts.some((p) => (p.state.distinct?.length ?? 0) > 1), 'latest and unique');
    assert.ok(parts.some((p) => p.state.sum.replace(/[-.]/g, '').length > 16), 'sums past 2^53');
    assert.ok(parts.some((p) => p.source?.firstOffset !== p.source?.lastOffset), 'parts of several records');
    assert.ok(parts.length > 3000);

    assert.equal(views.produced.length, objects.produced.length);
    for (let i = 0; i < objects.produced.length; i++) assert.deepEqual(views.produced[i], objects.produced[i], `record ${i}`);
    const serde = plainSerde();
    // Each owner commits its partition's parts in emission order.
    assert.equal(views.produced.filter((r) => r.topic === TOPICS.rollups).length, parts.length);
    for (let n = 0; n < PARTITIONS; n++) {
      const rollups = views.produced.filter((r) => r.topic === TOPICS.rollups && r.by === `g-${n}`);
      const mine = parts.filter((p) => p.source?.partition === n);
      assert.equal(rollups.length, mine.length);
      for (let i = 0; i < mine.length; i++) {
        const p = mine[i] as RollupPart;
        const avsc = (await serde.encode('rollup', TOPICS.rollups, rollupToRecord(p))).toString('hex');
        assert.deepEqual(rollups[i], { by: `g-${n}`, topic: TOPICS.rollups, key: p.serverId, value: avsc, partition: undefined }, `partition ${n} part ${i}: ${p.partId}`);
      }
    }
  });
}

test('a part avsc refuses fails the commit that holds it on both paths, with the same error and nothing produced', async () => {
  const serde = plainSerde();
  const failures: string[] = [];
  for (const sink of [false, true]) {
    const path = await newPath();
    const o = path.owners[0] as PartitionOwner;
    const emit = (parts: readonly RollupPart[]) => o.emitted(parts, 1);
    const views = { part: (v: Parameters<PartitionOwner['emittedView']>[0]) => o.emittedView(v, 1) };
    const add = (s: Sample, offset: number) => {
      if (sink) path.agg.add(s, { partition: 0, offset: String(offset) }, 1, views);
      else emit(path.agg.add(s, { partition: 0, offset: String(offset) }, 1));
      o.consumed(1, String(offset + 1), 1);
    };
    add({ id: 'a', serverId: 's', tsMs: T0, metrics: { http_requests: '1' }, labels: {} }, 0);
    await o.commit(path.agg, serde, TOPICS, 'g'); // learns the frame: parts are encoded as emitted from now on
    // A window ending past avsc's longs (a safe-integer ts near 2^53): its parts cannot be written.
    add({ id: 'b', serverId: 's', tsMs: 9_007_199_254_700_000, metrics: { http_requests: '2' }, labels: {} }, 1);
    add({ id: 'c', serverId: 's', tsMs: 9_007_199_254_740_000, metrics: { http_requests: '3' }, labels: {} }, 2);
    if (sink) path.agg.flushAll(views);
    else emit(path.agg.flushAll());
    const before = path.produced.length;
    await assert.rejects(o.commit(path.agg, serde, TOPICS, 'g'), (err: Error) => (failures.push(err.message), true));
    assert.equal(path.produced.length, before, 'nothing of the failed commit produced');
  }
  assert.equal(failures.length, 2);
  assert.equal(failures[0], failures[1]);
  assert.match(failures[0] as string, /windowEndMs|invalid|long/i);
});
