// The whole path as an operator runs it: `meterline loadgen` (duplicates, out-of-order, late
// samples, counter resets) → HTTP `meterline ingest` → Kafka → `meterline aggregate` →
// `meterline sink` → TimescaleDB. The stored rollups equal the reference model computed from
// loadgen's --out NDJSON (what was sent, in send order), parsed here without production code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../../pipeline/samples/sample.js';
import { expectedRollups, type RefMeter } from './workload.js';
import { e2ePipeline, closeWindows, untilRollupsMatch } from './harness.js';
import { runToEnd } from './processes.js';
import { freePort } from '../stack/free-port.js';

const CATALOG = `
currency: USD
timezone: UTC
meters:
  bandwidth: { metric: net_tx_bytes, kind: counter, factor: 1e-9, unit: GB }
  cpu_peak:  { metric: cpu_util_pct, kind: gauge, aggregation: max, unit: "%" }
  cpu_low:   { metric: cpu_util_pct, kind: gauge, aggregation: min, unit: "%" }
  cpu_mean:  { metric: cpu_util_pct, kind: gauge, aggregation: avg, unit: "%" }
  cpu_last:  { metric: cpu_util_pct, kind: gauge, aggregation: latest, unit: "%" }
  cpu_n:     { metric: cpu_util_pct, kind: gauge, aggregation: count, unit: sample }
  dcs:       { metric: cpu_util_pct, kind: gauge, aggregation: unique, label: dc, unit: dc }
  ssd:       { metric: disk_extra_gb, kind: gauge, aggregation: time_average, unit: GB-month }
  ip_hours:  { metric: public_ips, kind: gauge, aggregation: integral, per_seconds: 3600, unit: IP-hour }
  running:   { metric: power_on, kind: gauge, aggregation: integral, per_seconds: 3600, unit: hour }
  requests:  { metric: http_requests, kind: delta, unit: request }
plans:
  p: { base_fee: { amount: "1.00", per: month } }
`;
const METERS: RefMeter[] = [
  { name: 'bandwidth', metric: 'net_tx_bytes', agg: 'counter', factor: '1e-9' },
  { name: 'cpu_peak', metric: 'cpu_util_pct', agg: 'max', factor: '1' },
  { name: 'cpu_low', metric: 'cpu_util_pct', agg: 'min', factor: '1' },
  { name: 'cpu_mean', metric: 'cpu_util_pct', agg: 'avg', factor: '1' },
  { name: 'cpu_last', metric: 'cpu_util_pct', agg: 'latest', factor: '1' },
  { name: 'cpu_n', metric: 'cpu_util_pct', agg: 'count', factor: '1' },
  { name: 'dcs', metric: 'cpu_util_pct', agg: 'unique', factor: '1' },
  { name: 'ssd', metric: 'disk_extra_gb', agg: 'time_average', factor: '1' },
  { name: 'ip_hours', metric: 'public_ips', agg: 'integral', factor: '1', perSeconds: '3600' },
  { name: 'running', metric: 'power_on', agg: 'integral', factor: '1', perSeconds: '3600' },
  { name: 'requests', metric: 'http_requests', agg: 'sum', factor: '1' },
];
const WINDOW_MS = 60_000;
const p = e2ePipeline('lg', CATALOG, {
  KAFKA_PARTITIONS: '3',
  METERLINE_WINDOW: '1m',
  METERLINE_ALLOWED_LATENESS: '2m',
  METERLINE_IDLE_TIMEOUT: '2s',
});

/** Runs a meterline command to its end; resolves with its stdout. */
async function meterline(args: string[]): Promise<string> {
  const r = await runToEnd(args, p.env);
  if (r.code !== 0) throw new Error(`meterline ${args[0]} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** loadgen's --out line → Sample, read the plain way (JSON numbers keep their exact text). */
function parseLine(line: string): Sample {
  const o = JSON.parse(line) as {
    id: string;
    server_id: string;
    ts: string;
    interval_s?: number;
    metrics: Record<string, number | string>;
    labels?: Record<string, string>;
  };
  const s: Sample = {
    id: o.id,
    serverId: o.server_id,
    tsMs: Date.parse(o.ts),
    metrics: {},
    labels: o.labels ?? {},
  };
  if (o.interval_s !== undefined) s.intervalS = String(o.interval_s);
  for (const [k, v] of Object.entries(o.metrics)) s.metrics[k] = String(v);
  return s;
}

test(
  'loadgen → ingest → aggregate → sink: stored rollups equal the reference from loadgen --out',
  { timeout: 240_000 },
  async () => {
    const key = (await meterline(['keys', 'create', '--role', 'agent'])).trim().split('\n').at(-1) as string;
    const port = await freePort();
    const ingest = p.start('ingest', [], { PORT: String(port) });
    await ingest.waitFor(/listening on port/);

    const out = join(p.catalogFile, '..', 'sent.ndjson');
    // One request at a time: arrival order at Kafka is then send order (counters depend on it).
    await meterline([
      'loadgen',
      '--servers',
      '20',
      '--rounds',
      '90',
      '--interval',
      '10',
      '--seed',
      '5',
      '--duplicates',
      '0.03',
      '--out-of-order',
      '0.03',
      '--late',
      '0.02',
      '--resets',
      '0.02',
      '--to',
      'http',
      '--url',
      `http://127.0.0.1:${port}`,
      '--key',
      key,
      '--batch',
      '200',
      '--concurrency',
      '1',
      '--out',
      out,
    ]);
    const samples = readFileSync(out, 'utf8').split('\n').filter(Boolean).map(parseLine);
    assert.ok(samples.length >= 1800, `${samples.length} samples sent`);
    assert.ok(new Set(samples.map((s) => s.id)).size < samples.length, 'the input has duplicates');
    const expected = expectedRollups(samples, WINDOW_MS, METERS);
    assert.ok(expected.size >= 20 * 15 * METERS.length, `${expected.size} expected rollups`); // 20 servers × ≥ 15 minutes × meters
    const lastTs = Math.max(...samples.map((s) => s.tsMs));
    // Ingest accepts samples up to now + 5 min; the closers go straight to Kafka.
    await closeWindows(p.kafka, p.topics.raw, 3, lastTs + 86_400_000);

    const aggregate = p.start('aggregate', ['--commit-interval', '500ms']);
    p.start('sink');
    await untilRollupsMatch(p, aggregate, expected, {
      windowMs: WINDOW_MS,
      groupTimeoutMs: 120_000,
      storedTimeoutMs: 60_000,
      meters: METERS,
    });
    const { rows } = await p.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM rollup_parts WHERE correction',
    );
    assert.ok(Number(rows[0]?.n) > 0, "loadgen's late samples were stored as corrections");
  },
);
