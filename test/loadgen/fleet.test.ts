// The synthetic fleet's promises, checked on what it yields (independently of how it is built).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleet, emptyStats, type FleetOptions, type Sent } from '../../loadgen/fleet.js';

const base: FleetOptions = {
  servers: 20, rounds: 200, intervalS: 60, startMs: Date.UTC(2026, 9, 1), seed: 42,
  duplicateShare: 0.05, outOfOrderShare: 0.05, lateShare: 0.02, resetShare: 0.01,
  allowedLatenessMs: 600_000, windowMs: 60_000,
};
const all = (o: FleetOptions = base) => {
  const stats = emptyStats();
  return { sent: [...fleet(o, stats)], stats };
};

test('same seed, same samples in the same order; another seed differs', () => {
  const a = all().sent.map((s) => JSON.stringify(s));
  assert.deepEqual(all().sent.map((s) => JSON.stringify(s)), a);
  assert.notDeepEqual(all({ ...base, seed: 43 }).sent.map((s) => JSON.stringify(s)), a);
});

test('every generated sample is sent; duplicates are identical re-sends; shares near the configured ones', () => {
  const { sent, stats } = all();
  const n = base.servers * base.rounds; // 4000
  const byId = new Map<string, Sent[]>();
  for (const s of sent) byId.set(s.sample.id, [...(byId.get(s.sample.id) ?? []), s]);
  assert.equal(byId.size, n);
  assert.equal(stats.generated, n);
  assert.equal(sent.length, stats.sent);
  assert.equal(sent.length, n + stats.duplicates);
  for (const copies of byId.values()) {
    assert.ok(copies.length <= 2);
    if (copies.length === 2) assert.deepEqual(copies[0]?.sample, copies[1]?.sample);
  }
  // Binomial(4000, p): ±5 standard deviations is far outside chance.
  const near = (count: number, p: number) => Math.abs(count - n * p) <= 5 * Math.sqrt(n * p * (1 - p));
  assert.ok(near(stats.duplicates, 0.05), `duplicates ${stats.duplicates}`);
  assert.ok(near(stats.outOfOrder, 0.05), `out of order ${stats.outOfOrder}`);
  assert.ok(near(stats.late, 0.02), `late ${stats.late}`);
});

test('late samples are sent after the watermark passed their window; out-of-order ones within the lateness', () => {
  const { sent } = all();
  let maxTs = -Infinity; // the highest event time sent so far (over all servers: the strictest watermark)
  for (const s of sent) {
    const ts = s.sample.tsMs;
    const windowEnd = Math.floor(ts / base.windowMs) * base.windowMs + base.windowMs;
    if (s.kind === 'late') assert.ok(maxTs - base.allowedLatenessMs >= windowEnd, `late sample ${s.sample.id} sent while its window was still open`);
    if (s.kind === 'out_of_order') {
      assert.ok(ts < maxTs, `out-of-order sample ${s.sample.id} was not behind`);
      assert.ok(maxTs - ts <= 3 * 60_000, `out-of-order sample ${s.sample.id} too late`);
    }
    maxTs = Math.max(maxTs, ts);
  }
});

test('metrics: every meter kind present, exact decimal strings, counters grow except at resets', () => {
  const { sent, stats } = all();
  const firsts = sent.filter((s) => s.kind !== 'duplicate').sort((a, b) => a.sample.tsMs - b.sample.tsMs);
  const last = new Map<string, bigint>();
  let resets = 0;
  for (const { sample } of firsts) {
    assert.deepEqual(Object.keys(sample.metrics).sort(), ['cpu_util_pct', 'disk_extra_gb', 'http_requests', 'net_tx_bytes', 'power_on', 'public_ips']);
    for (const v of Object.values(sample.metrics)) assert.match(v, /^\d+(\.\d)?$/);
    assert.ok(Number(sample.metrics.cpu_util_pct) <= 100);
    assert.ok(['0', '1'].includes(sample.metrics.power_on ?? ''));
    const c = BigInt(sample.metrics.net_tx_bytes ?? '0');
    const prev = last.get(sample.serverId);
    if (prev !== undefined && c < prev) resets++;
    last.set(sample.serverId, c);
  }
  // A reset is visible unless the first increment after it happens to exceed the old value (it cannot: bytes per interval ≪ initial counters).
  assert.ok(resets <= stats.resets && resets >= stats.resets - 2, `resets seen ${resets}, made ${stats.resets}`);
  assert.ok(stats.resets > 0);
});
