// The windowing/aggregation core shared by `meterline bill` (embedded) and the aggregate role.
// Pure: no I/O, no clock (processing time comes in as `nowMs`), deterministic (the same calls
// with the same arguments give the same parts with the same partIds).
//
// Public API
// ----------
//   const agg = new Aggregator({
//     meters,              // Meter[] (catalog/types.ts); each reads sample.metrics[meter.metric]
//     windowMs,            // base tumbling window, epoch-aligned (e.g. 60_000)
//     allowedLatenessMs,   // watermark = max event time seen on the partition − this
//     idleTimeoutMs,       // processing time without records after which a partition is idle
//     splitPoints?,        // (serverId, startMs, endMs) => instants cutting a window into segments
//     topic?,              // lineage topic name in parts (default 'metrics.raw')
//     maxPendingCorrections?, // pending correction segments per partition before a forced flush
//   });
//   agg.add(sample, { partition, offset }, nowMs): readonly RollupPart[]   // parts now emittable
//   agg.tick(nowMs): RollupPart[]        // idleness: call periodically (e.g. every second)
//   agg.flushAll(): RollupPart[]         // end of input: emit every open segment and correction
//   add / tick / flushAll(…, sink)       // the same parts, in the same order, handed to a
//                                        // PartSink as one reused view each (part-sink.ts): []
//   agg.snapshot(): AggregatorSnapshot   // all state, JSON-serializable
//   agg.restore(snapshot, nowMs?): void  // replaces all state (config must match); nowMs restarts
//                                        // the restored partitions' idle clocks
//   agg.snapshotPartition(p) / agg.restorePartition(snap, nowMs?) / agg.revokePartition(p)
//                                        // one partition at a time, for rebalances
//   agg.drainChanges(p, out) / agg.restoreFromRecords(meta, records, nowMs?) / agg.markAllChanged(p)
//                                        // incremental state (state-keys.ts), for a changelog
//   agg.partitions(): number[]; agg.openSegments(): number; agg.cachedCuts(): number // introspection
//
// Semantics (SPEC §3, §4; docs/decisions.md "Aggregation and rollups"):
// - A sample feeds every meter whose `metric` it carries; `factor` multiplies the raw value
//   first; `interval_s` missing → the meter's. It counts whole in the segment its ts falls in.
//   Values are parsed exactly once per sample (metric-values.ts); a bad one rejects it whole.
// - Counters: per series (server, metric) in arrival order, see counters.ts. The increase goes
//   to the segment of the newer sample; an ignored sample contributes nothing (no count).
// - A segment [startMs, endMs) is emitted (correction = false) when its partition's watermark
//   reaches endMs. A sample whose segment was already closed (endMs ≤ the partition's closed
//   point) is never dropped: it goes into a pending *correction* part of that segment
//   (correction = true). Pending corrections of a partition are emitted when its closed point
//   crosses a multiple of windowMs, when maxPendingCorrections is exceeded, at tick() once the
//   oldest has waited idleTimeoutMs of processing time, and at flushAll().
// - Idle partitions: see pipeline/windows/watermark.ts.
// - partId = `${topic}:${partition}:${firstOffset}:${meter}:${segmentStartMs}` where firstOffset
//   is the offset of the first record in the part. Offsets must be unique within a partition
//   (Kafka offsets; bill: a running record number), so partIds are unique and replay-stable.
// - Part order: per emission, by segment end, server, segment start, then meter in config order;
//   on-time parts before corrections.
// - Dedup by sample id is the caller's job (see dedup.ts for a small helper).
import type { Sample } from '../samples/sample.js';
import { MeterlineError } from '../../lib/errors.js';
import type { RollupPart } from './rollup.js';
import { addTo, compileMeter, type CompiledMeter } from './accumulator.js';
import type { PartSink } from './part-sink.js';
import { RowEmitter } from './emit-rows.js';
import { offsetNumber } from './slab.js';
import { applyReading } from './counters.js';
import type { Fixed } from './fixed.js';
import { MetricValues, type MetricEntry } from './metric-values.js';
import { PartitionState, type PartitionSnapshot } from './partition.js';
import { Segmenter } from '../windows/segments.js';
import { idleCloseTarget, isIdle, watermarkOf } from '../windows/watermark.js';
import { checkConfig, DEFAULT_MAX_PENDING_CORRECTIONS, DEFAULT_TOPIC, type AggregatorConfig, type SourceRef } from './config.js';
import { checkSnapshot, snapshotHeader, type AggregatorSnapshot } from './snapshot.js';
import { snapshotFromRecords, type PartitionMeta } from './changes.js';
import { finiteOrNull } from '../windows/watermark.js';
import { Writer } from './record-codec.js';
import { readRecords } from './read-records.js';
import { restoreRecordsInto } from './restore-records.js';
import { differences, oldConfig, withoutMeters } from './migrate.js';

/** The outcome of restoring state: parts emitted by a migration, and what changed (empty: none). */
export interface Migration {
  parts: RollupPart[];
  migrated: string[];
}

export type { AggregatorConfig, SourceRef } from './config.js';
export type { AggregatorSnapshot } from './snapshot.js';
export { DEFAULT_MAX_PENDING_CORRECTIONS, DEFAULT_TOPIC } from './config.js';
export type { PartSink, PartView } from './part-sink.js';

const NONE: readonly RollupPart[] = Object.freeze([]);
/** What emitters are handed when a sink takes the parts: never written to. */
const UNUSED: RollupPart[] = [];
/** How often (in windows of event time) servers holding nothing are swept from memory. */
const SWEEP_WINDOWS = 10;

export class Aggregator {
  private readonly compiled: CompiledMeter[];
  private readonly metrics: MetricValues;
  private readonly byMetric: readonly MetricEntry[];
  private readonly segmenter: Segmenter;
  private readonly topic: string;
  private readonly maxPending: number;
  private readonly counterIdleMs: number;
  private parts = new Map<number, PartitionState>();
  private last: PartitionState | undefined;
  /** Per-call parsed values, one slot per metric entry (reused: add is not re-entrant). */
  private readonly scratch: Array<Fixed | undefined> = [];
  /** Emits the parts of taken rows (emit-rows.ts). */
  private readonly emitter: RowEmitter;
  /** Changelog records are written through this one buffer (drainChanges copies each out). */
  private readonly recordWriter = new Writer();

  constructor(private readonly config: AggregatorConfig) {
    checkConfig(config);
    this.compiled = config.meters.map(compileMeter);
    this.metrics = new MetricValues(this.compiled);
    this.byMetric = this.metrics.entries;
    this.segmenter = new Segmenter(config.windowMs, config.splitPoints);
    this.topic = config.topic ?? DEFAULT_TOPIC;
    this.maxPending = config.maxPendingCorrections ?? DEFAULT_MAX_PENDING_CORRECTIONS;
    this.counterIdleMs = config.counterIdleMs ?? Number.POSITIVE_INFINITY;
    this.emitter = new RowEmitter(this.topic, this.compiled);
  }

  /**
   * Adds one (deduplicated) sample read from `source`; returns the parts that became emittable,
   * or with a sink hands them to it (and returns none).
   */
  add(sample: Sample, source: SourceRef, nowMs: number, sink?: PartSink): readonly RollupPart[] {
    const ts = sample.tsMs;
    if (!Number.isSafeInteger(ts)) throw new MeterlineError('validation', `sample ${sample.id}: ts is not epoch milliseconds (${ts})`);
    // Parse every value first: a sample with a bad value is rejected whole, before any state
    // (counter baselines, accumulators, the clock) has changed — never counted in part.
    const values = this.scratch;
    const carries = this.metrics.read(sample, values);
    const interval = carries ? this.metrics.interval(sample) : undefined;

    const p = this.partition(source.partition);
    const clock = p.clock;
    clock.lastActivityMs = nowMs;
    if (carries) {
      const st = p.server(sample.serverId);
      // The server's last window cuts are kept on its state: no segmenter Map (CutsHolder).
      const seg = this.segmenter.segmentOf(sample.serverId, ts, st);
      const late = seg.endMs <= clock.closedUpToMs;
      const slab = p.slab;
      const offset = offsetNumber(source.offset);
      let row = -1;
      for (let k = 0; k < this.byMetric.length; k++) {
        const v = values[k];
        if (v === undefined) continue;
        const e = this.byMetric[k] as MetricEntry;
        let inc: Fixed | undefined;
        if (e.hasCounter) {
          inc = applyReading(st.series, e.metric, ts, v);
          if (inc !== undefined) p.changes.touchCounters(st); // a new baseline
        }
        for (const { cm, index } of e.slots) {
          const x = cm.counter ? inc : v;
          if (x === undefined) continue; // counter sample not newer than its series: nothing
          if (row < 0) row = late ? p.correctionRow(sample.serverId, seg, nowMs) : p.openRow(st, seg);
          slab.enter(row, index);
          addTo(slab, row, index, cm, x, interval, ts, sample.labels);
        }
      }
      // The offset of every meter the sample fed, at once: mostly the row's one pair (slab-offsets.ts).
      if (row >= 0) {
        slab.stamp(row, offset, source.offset);
        p.changes.touchRow(row);
      }
    }
    let out: RollupPart[] | undefined;
    if (ts > clock.maxEventTsMs) {
      clock.maxEventTsMs = ts;
      const wm = watermarkOf(clock, this.config.allowedLatenessMs);
      if (wm > clock.closedUpToMs) this.closeUpTo(p, wm, (out = sink ? UNUSED : []), sink);
    }
    if (p.pendingCorrections > this.maxPending) this.emitter.emit(p, p.takeCorrections(), true, (out ??= sink ? UNUSED : []), sink);
    return sink !== undefined ? NONE : (out ?? NONE);
  }

  /**
   * Idleness and correction latency, in processing time: closes idle partitions' segments up to
   * the active partitions' watermark, and emits pending corrections that waited idleTimeoutMs.
   */
  tick(nowMs: number, sink?: PartSink): RollupPart[] {
    const ps = this.sortedPartitions();
    const { idleTimeoutMs, allowedLatenessMs } = this.config;
    const target = idleCloseTarget(ps.map((p) => p.clock), nowMs, idleTimeoutMs, allowedLatenessMs);
    const out: RollupPart[] = [];
    for (const p of ps) {
      if (isIdle(p.clock, nowMs, idleTimeoutMs) && target > p.clock.closedUpToMs) this.closeUpTo(p, target, out, sink);
      if (p.pendingCorrections > 0 && nowMs - p.correctionsSinceMs >= idleTimeoutMs) this.emitter.emit(p, p.takeCorrections(), true, out, sink);
    }
    return out;
  }

  /** End of input: every open segment (on time) and every pending correction, all partitions. */
  flushAll(sink?: PartSink): RollupPart[] {
    const out: RollupPart[] = [];
    for (const p of this.sortedPartitions()) {
      const groups = p.takeClosed(Number.POSITIVE_INFINITY);
      const lastEnd = groups.reduce((m, row) => Math.max(m, p.slab.endOf(row)), p.clock.closedUpToMs);
      p.clock.closedUpToMs = lastEnd;
      this.emitter.emit(p, groups, false, out, sink);
      this.emitter.emit(p, p.takeCorrections(), true, out, sink);
    }
    return out;
  }

  snapshot(): AggregatorSnapshot {
    return { ...snapshotHeader(this.config), partitions: this.sortedPartitions().map((p) => p.snapshot(this.meterNames())) };
  }

  /**
   * Replaces all state. Pass `nowMs` (processing time) when restoring into a new process: the
   * restored partitions then count as active from now, so a tick() before their replay starts
   * does not judge them idle by the previous process's clock.
   */
  restore(snap: AggregatorSnapshot, nowMs?: number): void {
    checkSnapshot(snap, this.config);
    this.parts = new Map();
    this.last = undefined;
    for (const ps of snap.partitions) this.parts.set(ps.partition, this.restoreOne(ps, nowMs));
  }

  /** One partition's state (for handing it over on a rebalance); undefined if never seen. */
  snapshotPartition(partition: number): AggregatorSnapshot | undefined {
    const p = this.parts.get(partition);
    return p === undefined ? undefined : { ...snapshotHeader(this.config), partitions: [p.snapshot(this.meterNames())] };
  }

  /** Adds (or replaces) the partitions of a snapshot, leaving the others alone. */
  restorePartition(snap: AggregatorSnapshot, nowMs?: number): void {
    checkSnapshot(snap, this.config);
    this.last = undefined;
    for (const ps of snap.partitions) this.parts.set(ps.partition, this.restoreOne(ps, nowMs));
  }

  /**
   * What changed in a partition since the previous call, as changelog records (state-keys.ts,
   * window-codec.ts) handed to `out` — deletions first, then the record of every window and
   * every server's counters that changed — and returns the partition's meta record. Undefined
   * (and nothing handed) before the partition's first record. The records are taken now: the
   * caller writes them or drops the state.
   */
  drainChanges(partition: number, out: (key: string, value: Buffer | null) => void): PartitionMeta | undefined {
    const p = this.parts.get(partition);
    if (p === undefined) return undefined;
    p.changes.drain(this.recordWriter, out);
    return this.metaOf(p);
  }

  /** The meta record of a partition (also for one without records yet: null clock). */
  metaOf(p: PartitionState | number): PartitionMeta {
    const ps = typeof p === 'number' ? this.parts.get(p) : p;
    const n = typeof p === 'number' ? p : p.partition;
    const { windowMs, meters } = snapshotHeader(this.config);
    return {
      version: 3,
      windowMs,
      meters,
      order: this.meterNames(),
      partition: n,
      maxEventTsMs: ps ? finiteOrNull(ps.clock.maxEventTsMs) : null,
      lastActivityMs: ps ? finiteOrNull(ps.clock.lastActivityMs) : null,
      closedUpToMs: ps ? finiteOrNull(ps.clock.closedUpToMs) : null,
      correctionsSinceMs: ps && ps.pendingCorrections > 0 ? finiteOrNull(ps.correctionsSinceMs) : null,
      correctionsEpoch: ps?.correctionsEpoch ?? 0,
    };
  }

  /**
   * Rebuilds a partition from its meta record and the newest record of each key of its
   * changelog (migrating it when the meters or the window changed since: see restoreOrMigrate).
   * Records of format 2 and 3 (a server each, written before an upgrade) are read beside those
   * of format 4, and replaced at the next drain: every row is written anew, their keys deleted.
   */
  restoreFromRecords(meta: PartitionMeta, records: Iterable<readonly [string, Buffer]>, nowMs?: number): Migration {
    const read = readRecords(meta, records);
    const migrating = differences(snapshotFromRecords(meta, []), this.config).length > 0;
    // A migration works on snapshots: then every record is decoded like the JSON ones (a loop,
    // not push(...all): a partition of 100 000 servers would overflow the call's arguments).
    if (migrating) for (const r of read.decodeAll()) read.json.push(r);
    const migration = this.restoreOrMigrate(snapshotFromRecords(meta, read.json), nowMs, meta.correctionsEpoch);
    const p = this.parts.get(meta.partition) as PartitionState;
    if (!migrating) restoreRecordsInto(p, read, meta, this.meterIndex);
    if (read.legacyKeys.length > 0 || migrating) {
      p.markAllChanged();
      p.changes.dropKeys(read.legacyKeys);
      if (migrating) p.changes.dropKeys(read.windowKeys);
    }
    return migration;
  }

  /**
   * Restores one partition's snapshot. If it was written under other meters or another window
   * (migrate.ts), its open segments and pending corrections are emitted now under the old
   * configuration (returned: the caller publishes them), its counter baselines carry over, and
   * the next drainChanges rewrites every server. `migrated` names what changed.
   */
  restoreOrMigrate(snap: AggregatorSnapshot, nowMs?: number, correctionsEpoch = 0): Migration {
    const migrated = differences(snap, this.config);
    if (migrated.length === 0) {
      this.restorePartition(snap, nowMs);
      for (const ps of snap.partitions) (this.parts.get(ps.partition) as PartitionState).correctionsEpoch = correctionsEpoch;
      return { parts: [], migrated };
    }
    const before = oldConfig(snap, this.config);
    const keep = new Set(before.meters.map((m) => m.name));
    const old = new Aggregator(before);
    old.restore(
      { ...snapshotHeader(before), partitions: snap.partitions.map((p) => withoutMeters(p, keep)) },
      nowMs,
    );
    const parts = old.flushAll();
    this.last = undefined;
    for (const ps of old.snapshot().partitions) {
      const p = this.restoreOne({ ...ps, open: [], corrections: [], correctionsSinceMs: null }, nowMs);
      p.correctionsEpoch = correctionsEpoch + 1; // the flushed corrections are spent
      p.markAllChanged();
      this.parts.set(ps.partition, p);
    }
    return { parts, migrated };
  }

  /** Makes the next drainChanges return every server (after restoring from a whole snapshot). */
  markAllChanged(partition: number): void {
    this.parts.get(partition)?.markAllChanged();
  }

  /**
   * The split points of a server changed (a subscription created or ended): windows found from
   * now on are cut at the new points. Open segments keep their extent (their samples are summed).
   */
  splitPointsChanged(serverId: string): void {
    for (const p of this.parts.values()) p.forgetCuts(serverId);
  }

  /** Forgets a partition (revoked on a rebalance): its state emits nothing. */
  revokePartition(partition: number): void {
    this.parts.delete(partition);
    this.last = undefined;
  }

  /** Servers whose window cuts are cached (introspection, like openSegments). */
  cachedCuts(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.cachedCuts;
    return n;
  }

  /** Servers a partition holds state of (open segments or counter baselines). */
  serverCount(partition: number): number {
    return this.parts.get(partition)?.serverCount ?? 0;
  }

  partitions(): number[] {
    return [...this.parts.keys()].sort((a, b) => a - b);
  }

  /** Open segments (one server × one window segment) over all partitions, corrections excluded. */
  openSegments(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.openCount;
    return n;
  }

  /** Watermark of a partition (−Infinity before its first record). */
  watermarkOf(partition: number): number {
    const p = this.parts.get(partition);
    return p === undefined ? Number.NEGATIVE_INFINITY : watermarkOf(p.clock, this.config.allowedLatenessMs);
  }

  /**
   * How many open rows a sample of event time `tsMs` on `partition` would close (emit the
   * parts of): those ending by the watermark it would bring, if that passes the closed point.
   */
  rowsClosedBy(partition: number, tsMs: number): number {
    const p = this.parts.get(partition);
    if (p === undefined || !(tsMs > p.clock.maxEventTsMs)) return 0;
    const wm = tsMs - this.config.allowedLatenessMs;
    return wm > p.clock.closedUpToMs && wm >= p.nextEndMs ? p.rowsEndingBy(wm) : 0;
  }

  private partition(n: number): PartitionState {
    if (this.last?.partition === n) return this.last;
    let p = this.parts.get(n);
    if (p === undefined) {
      p = new PartitionState(n, this.compiled);
      this.parts.set(n, p);
    }
    this.last = p;
    return p;
  }

  private sortedPartitions(): PartitionState[] {
    return [...this.parts.values()].sort((a, b) => a.partition - b.partition);
  }

  /** Moves a partition's closed point forward and emits what that closes (into `out`, or `sink`). */
  private closeUpTo(p: PartitionState, upToMs: number, out: RollupPart[], sink: PartSink | undefined): void {
    const before = p.clock.closedUpToMs;
    p.clock.closedUpToMs = upToMs;
    if (upToMs >= p.nextEndMs) this.emitter.emit(p, p.takeClosed(upToMs), false, out, sink);
    const w = this.config.windowMs;
    if (p.pendingCorrections > 0 && Math.floor(upToMs / w) > Math.floor(before / w)) this.emitter.emit(p, p.takeCorrections(), true, out, sink);
    // Forget servers that hold nothing any more, every SWEEP_WINDOWS windows of event time.
    const every = w * SWEEP_WINDOWS;
    if (Number.isFinite(upToMs) && Math.floor(upToMs / every) > Math.floor(before / every)) {
      // A server's cached window cuts live on its state, so they go with it.
      p.sweep(upToMs - this.counterIdleMs);
    }
  }

  private readonly meterIndex = (name: string): number => {
    const i = this.compiled.findIndex((c) => c.name === name);
    if (i < 0) throw new MeterlineError('config', `aggregator snapshot names unknown meter ${name}`);
    return i;
  };

  private meterNames(): string[] {
    return this.compiled.map((c) => c.name);
  }

  private restoreOne(ps: PartitionSnapshot, nowMs: number | undefined): PartitionState {
    const p = PartitionState.restore(ps, this.compiled, this.meterIndex);
    if (nowMs !== undefined && ps.lastActivityMs !== null) p.clock.lastActivityMs = nowMs;
    return p;
  }
}
