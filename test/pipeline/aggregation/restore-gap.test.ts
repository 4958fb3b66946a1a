// Fault isolation of the aggregation state (issue 11: why a restore that skipped 3 records made
// the 100 000-series crash test list many differing rows). A restore from the incremental
// changelog that resumes k records past its checkpoint loses exactly those k records: the
// merged totals of every other server stay the reference model's — also when a lost record
// carried the partition's newest event time, so the partition's watermark crosses the window
// end at a later record and every server's window is emitted by another record than without
// the gap. Emission timing moves parts between commits; merged, they give the same totals.
// The expectations come from the independent reference model of test/e2e/workload.ts over the
// input without the lost records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../../lib/decimal.js';
import { Aggregator } from '../../../pipeline/aggregation/aggregator.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';
import type { Sample } from '../../../pipeline/samples/sample.js';
import { comparable, expectedRollups, rowKey, workload, type Expected, type RefMeter } from '../../e2e/workload.js';
import { ChangelogModel } from './changelog-model.js';
import { meter, MIN } from './helpers.js';

const WINDOW_MS = 5 * MIN;
const START = Date.UTC(2026, 10, 10); // a window start
const METERS: RefMeter[] = [
  { name: 'requests', metric: 'http_requests', agg: 'sum', factor: '1' },
  { name: 'bandwidth', metric: 'net_tx_bytes', agg: 'counter', factor: '1e-9' },
];
const config = {
  meters: [meter('requests', 'http_requests', 'delta', 'sum'), meter('bandwidth', 'net_tx_bytes', 'counter', 'sum', { factor: '1e-9' })],
  windowMs: WINDOW_MS,
  allowedLatenessMs: 2 * MIN,
  idleTimeoutMs: Number.POSITIVE_INFINITY,
};
const COMMIT_EVERY = 25;
/** Records the crashed process applied past its last commit (claimed, never committed). */
const UNCOMMITTED = 40;
const GAP = 3;

/** Applies records [from, to) of partition 0 (offset = index) with the dedup claims kept across processes, as Redis keeps them. */
function apply(agg: Aggregator, samples: readonly Sample[], claims: Map<string, number>, from: number, to: number, emittedBy: Map<string, number>): RollupPart[] {
  const out: RollupPart[] = [];
  for (let i = from; i < to; i++) {
    const s = samples[i] as Sample;
    const owner = claims.get(s.id) ?? i;
    claims.set(s.id, owner);
    if (owner !== i) continue; // another record carries this sample
    for (const p of agg.add(s, { partition: 0, offset: String(i) }, 0)) {
      emittedBy.set(p.partId, i);
      out.push(p);
    }
  }
  return out;
}

/** Parts merged per (server, meter, window) as the store merges them; a partId is stored once. */
function merged(parts: readonly RollupPart[]): Map<string, Expected> {
  const ids = new Set<string>();
  const out = new Map<string, Expected>();
  for (const p of parts) {
    if (ids.has(p.partId)) continue;
    ids.add(p.partId);
    const k = rowKey(p.serverId, p.meter, Math.floor(p.windowStartMs / WINDOW_MS) * WINDOW_MS);
    const e = out.get(k) ?? { count: 0, sum: '0' };
    out.set(k, { count: e.count + p.state.count, sum: new Decimal(e.sum).plus(p.state.sum).toFixed() });
  }
  return out;
}

/** Keys whose compared fields differ between two sets of rollups. */
function differing(a: Map<string, Expected>, b: Map<string, Expected>): string[] {
  const show = (k: string, e: Expected | undefined) => (e === undefined ? 'missing' : JSON.stringify(comparable(k.split('|')[1] as string, e, METERS)));
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => show(k, a.get(k)) !== show(k, b.get(k))).sort();
}

test('a restore resuming past its checkpoint loses only the skipped records, also when they moved the watermark', () => {
  // 40 servers × 15 one-minute samples on one partition (one watermark for all), with the e2e
  // workload's duplicates, out-of-order, late (→ corrections) samples and counter resets.
  const samples = workload({ servers: 40, samplesPerServer: 15, stepMs: MIN, startMs: START, lateByMs: 5 * MIN, seed: 11 });
  const whole = new Aggregator(config);
  const wholeBy = new Map<string, number>();
  const wholeParts = [...apply(whole, samples, new Map(), 0, samples.length, wholeBy), ...whole.flushAll()];
  // The checkpoint: a record at which the watermark crosses a window end in the middle of the
  // input (its add emits the window of every server), so the gap starts with that record.
  const crossings = [...new Set(wholeParts.filter((p) => !p.correction && wholeBy.has(p.partId)).map((p) => wholeBy.get(p.partId) as number))];
  const checkpoint = crossings[Math.floor(crossings.length / 2)] as number;
  assert.ok(checkpoint > COMMIT_EVERY && checkpoint + UNCOMMITTED < samples.length, `checkpoint ${checkpoint} of ${samples.length}`);

  // The first process commits every COMMIT_EVERY records and at the checkpoint, applies
  // UNCOMMITTED more records (their parts and state die with it; their claims stay), and crashes.
  const claims = new Map<string, number>();
  const log = new ChangelogModel();
  const first = new Aggregator(config);
  const committed: RollupPart[] = [];
  const by = new Map<string, number>();
  for (let i = 0; i < checkpoint; i += COMMIT_EVERY) {
    committed.push(...apply(first, samples, claims, i, Math.min(checkpoint, i + COMMIT_EVERY), by));
    log.commit(first, [0]);
  }
  apply(first, samples, claims, checkpoint, checkpoint + UNCOMMITTED, by);

  // The restarted process restores the checkpoint and resumes GAP records past it.
  const second = new Aggregator(config);
  log.restoreInto(second, 0, 0);
  const after = [...apply(second, samples, claims, checkpoint + GAP, samples.length, by), ...second.flushAll()];
  const stored = merged([...committed, ...after]);

  // Reference: the input without the skipped records, and without later copies of their sample
  // ids (the crashed process claimed those ids for the skipped offsets, so copies are refused).
  const skipped = samples.slice(checkpoint, checkpoint + GAP);
  const lostIds = new Set(skipped.filter((s, j) => samples.findIndex((x) => x.id === s.id) === checkpoint + j).map((s) => s.id));
  const kept = samples.filter((s, i) => (i < checkpoint || i >= checkpoint + GAP) && !(i >= checkpoint && lostIds.has(s.id)));
  assert.deepEqual(differing(stored, expectedRollups(kept, WINDOW_MS, METERS)), [], 'stored = reference without the skipped records');

  // Against the whole input, only the skipped records' servers differ — and some do.
  const lostServers = new Set(skipped.map((s) => s.serverId));
  const diff = differing(stored, expectedRollups(samples, WINDOW_MS, METERS));
  assert.ok(diff.length > 0, 'the gap is visible');
  assert.deepEqual(diff.filter((k) => !lostServers.has(k.split('|')[0] as string)), [], `only ${[...lostServers].join(', ')} differ`);

  // And the gap did move emission: other servers' on-time parts of the crossed window came
  // from a later record than in the uninterrupted run.
  const moved = after.filter((p) => !p.correction && !lostServers.has(p.serverId) && wholeBy.get(p.partId) === checkpoint && by.get(p.partId) !== checkpoint);
  assert.ok(moved.length > 0, 'other servers\u2019 windows were emitted by another record');
});
