// Memory and restore cost of the aggregation core alone (no Kafka): N servers × W open windows
// of the example catalogue's meters, every sample carrying every metric, nothing closed yet
// (allowed lateness covers all windows). Reports heap bytes per open segment and process RSS,
// then the changelog side (format 4, a record per window and per server's counters: state-keys.ts):
// the records of the whole state and their bytes, what one more sample per server writes (its
// window's record and its counters' — the steady state's cost per sample), and the time to
// rebuild the state from the records with restoreFromRecords (a partition restore after the read).
//
//   node --expose-gc --import tsx bench/aggregation-memory.ts --servers 100000 --windows 11 [--no-restore] [--split-points]
//
// --split-points cuts windows as the aggregate role does (the catalogue's month starts and
// subscription instants), so the segmenter's per-server cache counts as it does in the role.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../catalog/load.js';
import { Aggregator } from '../pipeline/aggregation/aggregator.js';
import type { Sample } from '../pipeline/samples/sample.js';
import type { PartitionMeta } from '../pipeline/aggregation/changes.js';
import { catalogSplitPoints } from '../pipeline/aggregate/split-points.js';
import { slabColumnBytes } from '../pipeline/aggregation/slab.js';

const { values: opts } = parseArgs({
  options: {
    servers: { type: 'string', default: '100000' },
    windows: { type: 'string', default: '11' },
    'no-restore': { type: 'boolean', default: false },
    'split-points': { type: 'boolean', default: false },
  },
});
const servers = Number(opts.servers);
const windows = Number(opts.windows);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const catalog = await loadCatalog(fileURLToPath(new URL('../examples/catalog.yaml', import.meta.url)));
const meters = Object.values(catalog.meters);
const WINDOW = 60_000;
const config = {
  meters,
  windowMs: WINDOW,
  allowedLatenessMs: (windows + 1) * WINDOW,
  idleTimeoutMs: 3_600_000,
  ...(opts['split-points'] ? { splitPoints: catalogSplitPoints(catalog) } : {}),
};
const T0 = Date.UTC(2026, 9, 1);
const idOf = (s: number): string => `srv-${String(s).padStart(6, '0')}`;

const heap = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  // The slab's columns live outside the JS heap, in resizable buffers V8 does not count.
  return m.heapUsed + m.arrayBuffers + slabColumnBytes();
};
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

const base = heap();
const slabBase = slabColumnBytes();
const agg = new Aggregator(config);
let offset = 0;
const cpuAdd0 = process.cpuUsage();
// Realistic values: counters growing, decimal gauges, request deltas.
for (let w = 0; w < windows; w++) {
  for (let s = 0; s < servers; s++) {
    const id = idOf(s);
    const sample: Sample = {
      id: `${id}-${w}`,
      serverId: id,
      tsMs: T0 + w * WINDOW + (s % 60) * 1000,
      metrics: {
        net_tx_bytes: String(1_000_000_000 + w * 12_345_678 + s),
        cpu_util_pct: `${(s * 7 + w) % 100}.${w % 10}5`,
        disk_extra_gb: '250',
        public_ips: '2',
        power_on: '1',
        http_requests: String((s % 1000) + w),
      },
      labels: {},
    };
    agg.add(sample, { partition: s % 6, offset: String(offset++) }, 0);
  }
}
const cpuAdd = process.cpuUsage(cpuAdd0); // sample building included (the same before and after)
const segments = agg.openSegments();
const used = heap() - base;
const rss = process.memoryUsage().rss;
// The slab's columns at their capacity (rows grow by half: up to a third of it is slack, reserved
// but not resident until written).
const slab = slabColumnBytes() - slabBase;
// One full GC over this state: what the aggregate role pays before each gated close (lib/full-gc.ts).
const gcStart = performance.now();
gc();
const fullGcMs = performance.now() - gcStart;
console.log(JSON.stringify({ servers, windows, splitPoints: opts['split-points'], openSegments: segments, heapPlusBuffersMiB: mib(used), bytesPerSegment: Math.round(used / segments), slabColumnsMiB: mib(slab), slabBytesPerSegment: Math.round(slab / segments), rssMiB: mib(rss), addCpuMicrosPerSample: ((cpuAdd.user + cpuAdd.system) / (servers * windows)).toFixed(2), fullGcMs: fullGcMs.toFixed(1) }));

if (!opts['no-restore']) {
  // The changelog records of the whole state (the first commit), as the aggregate role writes them.
  const records = new Map<number, Array<[string, Buffer]>>();
  const metas: PartitionMeta[] = [];
  const tally = { records: 0, bytes: 0, keyBytes: 0, counterRecords: 0, counterBytes: 0 };
  const drain = (p: number, into?: Array<[string, Buffer]>): PartitionMeta | undefined =>
    agg.drainChanges(p, (key, value) => {
      if (value === null) return;
      const counters = key.includes('#k/');
      tally.records++;
      tally.bytes += value.length;
      tally.keyBytes += Buffer.byteLength(key);
      if (counters) tally.counterRecords++;
      if (counters) tally.counterBytes += value.length;
      into?.push([key, value]);
    });
  for (const p of agg.partitions()) {
    const list: Array<[string, Buffer]> = [];
    const meta = drain(p, list);
    if (meta === undefined) continue;
    metas.push(meta);
    records.set(p, list);
  }
  const whole = { ...tally };
  const segmentRecords = whole.records - whole.counterRecords;
  // The steady state: one more sample per server, in its newest window (a newer counter
  // reading), then a commit — what each sample makes the changelog write.
  Object.assign(tally, { records: 0, bytes: 0, keyBytes: 0, counterRecords: 0, counterBytes: 0 });
  for (let s = 0; s < servers; s++) {
    const id = idOf(s);
    const sample: Sample = {
      id: `${id}-next`,
      serverId: id,
      tsMs: T0 + (windows - 1) * WINDOW + (s % 60) * 1000 + 500,
      metrics: { net_tx_bytes: String(2_000_000_000 + s), cpu_util_pct: '1.5', disk_extra_gb: '250', public_ips: '2', power_on: '1', http_requests: '1' },
      labels: {},
    };
    agg.add(sample, { partition: s % 6, offset: String(offset++) }, 0);
  }
  for (const p of agg.partitions()) drain(p);
  const target = new Aggregator(config);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const meta of metas) target.restoreFromRecords(meta, records.get(meta.partition) ?? [], 0);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    restoredSegments: target.openSegments(),
    stateRecords: whole.records,
    stateBytesPerServer: Math.round(whole.bytes / servers),
    segmentRecordBytes: Math.round((whole.bytes - whole.counterBytes) / segmentRecords),
    counterRecordBytes: Math.round(whole.counterBytes / whole.counterRecords),
    recordsPerSample: +(tally.records / servers).toFixed(2),
    bytesPerSample: Math.round(tally.bytes / servers),
    keyBytesPerSample: Math.round(tally.keyBytes / servers),
    restoreMs: Math.round(ms),
    restoreCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssMiB: mib(process.memoryUsage().rss),
  }));
}
