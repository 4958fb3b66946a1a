// `meterline bench sink` (SPEC §11): rollup rows → TimescaleDB. Figures over the same rows:
//   sink   — the sink role in-process: Avro parts pre-loaded on usage.rollups → decoded → one
//            transaction: COPY into rollup_parts + the partition's offset in sink_offsets →
//            Kafka offsets (a hint); from its first batch to its last (joining the group is
//            reported apart);
//   store  — the database step alone (sinks/store.ts, batches of --batch rows, with offsets);
//   copy   — the yardstick: a plain COPY of the same rows into the same table (rollup_parts,
//            its key and indexes, no exactly-once bookkeeping), timed twice (before the store
//            step and just before the sink, so load drifting on a shared machine shows), and
//            a COPY into an ordinary unindexed table: the floor no writer of rollup_parts reaches;
//   decode — CPU to decode the Avro records alone the general way (avsc + recordToRollup), and
//            the sink's own way: Avro bytes straight to COPY text (sinks/rollup-rows.ts).
// In a scratch database (created, migrated, dropped) and its own topic prefix (deleted).
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Partitioners, type Message } from 'kafkajs';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/args.js';
import { loadConfig } from '../config/env.js';
import { createPool } from '../db/pool.js';
import { scratchDatabase } from './scratch-db.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../kafka/topics.js';
import { createSerde } from '../avro/registry.js';
import type { AvroSerde } from '../avro/serde.js';
import { recordToRollup, rollupToRecord } from '../avro/records.js';
import type { RollupPart } from '../pipeline/aggregation/rollup.js';
import { copyRow } from '../sinks/copy-rows.js';
import { copyInto, storeParts } from '../sinks/store.js';
import { startSink } from '../sinks/role.js';
import { rollupRows } from '../sinks/rollup-rows.js';
import { progress } from '../loadgen/progress.js';
import { latencySummary, report, type BenchModule } from './report.js';
import { doneOrTimeout, wholeNumberFlag as int } from './flags.js';

const cpuMicros = (u: NodeJS.CpuUsage): number => u.user + u.system;

/** CPU to read the records the sink's way, Avro bytes straight to COPY text (sinks/rollup-rows.ts); holds nothing after. */
async function avroToCopyMicros(encoded: readonly Buffer[], topic: string, serde: AvroSerde): Promise<number> {
  const messages = encoded.map((value, i) => ({ key: null, value, timestamp: '0', attributes: 0, offset: String(i), headers: {} }));
  const cpu = process.cpuUsage();
  const rows = await rollupRows({ topic, partition: 0, messages }, serde, 'bench');
  let bytes = 0;
  for (const chunk of rows.fresh(undefined).chunks()) bytes += chunk.length;
  const micros = cpuMicros(process.cpuUsage(cpu));
  if (rows.undecodable.size > 0 || bytes === 0) throw new Error("bench sink: the bench's own records did not read as rows");
  return micros;
}

const METERS = ['bandwidth_out_gb', 'cpu_peak_pct', 'ssd_extra_gb', 'ip_hours', 'running_hours', 'requests'];

/** Parts of `servers` servers × 6 meters × consecutive 1-minute windows, like a fleet's. */
function* parts(count: number, servers: number): Generator<RollupPart> {
  const start = Date.UTC(2026, 9, 1);
  for (let i = 0; i < count; i++) {
    const server = i % servers;
    const meter = METERS[Math.floor(i / servers) % METERS.length] as string;
    const w = start + Math.floor(i / (servers * METERS.length)) * 60_000;
    yield {
      partId: `metrics.raw:${server % 6}:${i}:${meter}:${w}`,
      serverId: `srv-${String(server).padStart(5, '0')}`,
      meter,
      windowStartMs: w,
      windowEndMs: w + 60_000,
      correction: false,
      state: { count: 1, sum: `${(i % 997) * 1.25}`, max: `${i % 100}.5` },
      source: { topic: 'metrics.raw', partition: server % 6, firstOffset: String(i), lastOffset: String(i) },
    };
  }
}

export const bench: BenchModule & Command = {
  summary: 'rollup rows → TimescaleDB through the sink: rows/s beside the store step alone and a plain COPY',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      rows: { type: 'string' },
      servers: { type: 'string' },
      batch: { type: 'string' },
      'max-seconds': { type: 'string' },
      out: { type: 'string' },
    });
    const rows = int(v.rows, 'rows', 200_000, 1, 10_000_000);
    const servers = int(v.servers, 'servers', 1000, 1, 1_000_000);
    const batch = int(v.batch, 'batch', 5000, 1, 1_000_000);
    const maxSeconds = int(v['max-seconds'], 'max-seconds', 300, 1, 3600);
    const tag = randomBytes(3).toString('hex');
    const prefix = `bench${tag}.`;
    const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
    const db = await scratchDatabase(config.database, tag);
    const pool = createPool(
      { ...config.database, url: db.url },
      { applicationName: 'meterline-bench-sink', max: 4 },
    );
    const kafka = createKafka(config.kafka, { role: 'bench', level: 'error' });
    const kadmin = kafka.admin();
    await kadmin.connect();
    try {
      const client = await pool.connect();
      const all = [...parts(rows, servers)];
      const copyRows = all.map((part) => copyRow({ part }));

      process.stderr.write('bench sink: COPY into an unindexed table…\n');
      await client.query('CREATE TABLE unindexed_copy (LIKE rollup_parts INCLUDING DEFAULTS)');
      let t = performance.now();
      await copyInto(client, 'unindexed_copy', copyRows);
      const unindexedSeconds = (performance.now() - t) / 1000;
      await client.query('DROP TABLE unindexed_copy');

      /** The yardstick: one plain COPY of every row into rollup_parts, emptied afterwards. */
      const plainCopy = async (): Promise<number> => {
        process.stderr.write('bench sink: plain COPY into rollup_parts…\n');
        const c = await pool.connect();
        try {
          const s = performance.now();
          await copyInto(c, 'rollup_parts', copyRows);
          const seconds = (performance.now() - s) / 1000;
          await c.query('TRUNCATE rollup_parts');
          return seconds;
        } finally {
          c.release();
        }
      };
      const copySeconds = [await plainCopy()];

      process.stderr.write(`bench sink: store step (COPY + offsets in one transaction) in batches of ${batch}…\n`);
      const storeMs: number[] = [];
      t = performance.now();
      for (let i = 0; i < all.length; i += batch) {
        const s = performance.now();
        const slice = all.slice(i, i + batch);
        const origin = (k: number) => ({ topic: 'bench', partition: 0, offset: String(i + k) });
        await storeParts(
          client,
          slice.map((part, k) => ({ part, origin: origin(k) })),
          { group: 'bench', topic: 'bench', partition: 0, nextOffset: String(i + slice.length) },
        );
        storeMs.push(performance.now() - s);
      }
      const storeSeconds = (performance.now() - t) / 1000;
      await client.query('TRUNCATE rollup_parts');
      await client.query('TRUNCATE sink_offsets');
      client.release();

      await ensureTopics(kadmin, topicSpecs(config));
      const names = topicNames(prefix);
      const serde = await createSerde(config);
      const encoded: Buffer[] = [];
      const producer = kafka.producer({
        idempotent: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const load = progress('bench sink: loading usage.rollups', rows);
      for (let i = 0; i < all.length; i += 500) {
        const messages: Message[] = [];
        for (const p of all.slice(i, i + 500)) {
          const value = await serde.encode('rollup', names.rollups, rollupToRecord(p));
          encoded.push(value);
          messages.push({ key: p.serverId, value });
        }
        await producer.send({ topic: names.rollups, acks: -1, messages });
        load.update(Math.min(rows, i + 500));
      }
      load.end(rows);
      await producer.disconnect();

      process.stderr.write('bench sink: decoding the Avro records alone…\n');
      const decodeCpu = process.cpuUsage();
      for (const value of encoded) recordToRollup(await serde.decode('rollup', names.rollups, value));
      const decodeMicros = cpuMicros(process.cpuUsage(decodeCpu));
      const rowsMicros = await avroToCopyMicros(encoded, names.rollups, serde);
      copySeconds.push(await plainCopy());
      // Let go of the bench's own copies of the rows (parts, COPY rows, Avro records: over 100 MB at 200 000 rows): kept,
      // every major GC during the sink marked them, and the sink profiled at 40 % GC.
      all.length = 0;
      copyRows.length = 0;
      encoded.length = 0;

      const bar = progress('bench sink', rows);
      const batchMs: number[] = [];
      let stored = 0;
      let resolveDone: () => void = () => undefined;
      const finished = new Promise<void>((r) => (resolveDone = r));
      const started = performance.now();
      let first = Infinity;
      let last = started;
      const sink = await startSink({
        kafka,
        pool,
        serde,
        topics: { rollups: names.rollups, dlq: names.dlq },
        groupId: `${prefix}meterline-sink`,
        log: pino({ level: 'warn' }, pino.destination(2)),
        onBatch: (info) => {
          batchMs.push(info.durationMs);
          first = Math.min(first, performance.now() - info.durationMs);
          stored += info.offered;
          last = performance.now();
          bar.update(stored);
          if (stored >= rows) resolveDone();
        },
      });
      const sinkCpu = process.cpuUsage();
      const outcome = await doneOrTimeout(finished, maxSeconds);
      const sinkMicros = cpuMicros(process.cpuUsage(sinkCpu));
      bar.end(stored);
      await sink.stop();
      // A fast sink that lost or doubled rows would be worthless: the table must hold every row once.
      const { rows: counted } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM rollup_parts');
      const storedRows = Number(counted[0]?.n ?? '0');
      if (outcome !== 'timeout' && storedRows !== rows) throw new Error(`bench sink: rollup_parts holds ${storedRows} rows after the sink, expected ${rows}`);
      const sinkSeconds = (last - first) / 1000;
      const sinkRate = stored / sinkSeconds;
      const storeRate = rows / storeSeconds;
      const plainRate = rows / (copySeconds.reduce((a, b) => a + b, 0) / copySeconds.length);
      const unindexedRate = rows / unindexedSeconds;
      const ratio = (x: number) => Number(x.toFixed(2));
      const file = report(
        {
          bench: 'sink',
          perSecond: sinkRate,
          unit: 'rows/s',
          latencyMs: latencySummary(batchMs, 'sink batch: decode + COPY + offsets + commit'),
          details: {
            rows: stored,
            storedRows,
            seconds: Number(sinkSeconds.toFixed(2)),
            joinSeconds: Number(((first - started) / 1000).toFixed(2)),
            sinkCpuMicrosPerRow: Number((sinkMicros / Math.max(1, stored)).toFixed(1)),
            decodeCpuMicrosPerRow: Number((decodeMicros / rows).toFixed(1)),
            avroToCopyCpuMicrosPerRow: Number((rowsMicros / rows).toFixed(2)),
            storeStepRowsPerSecond: Math.round(storeRate),
            storeBatch: batch,
            storeBatchP50Ms: latencySummary(storeMs, 'store').p50,
            plainCopyRowsPerSecond: Math.round(plainRate),
            plainCopyRuns: copySeconds.map((x) => Math.round(rows / x)).join(' / '),
            unindexedCopyRowsPerSecond: Math.round(unindexedRate),
            sinkToPlainCopy: ratio(sinkRate / plainRate),
            storeToPlainCopy: ratio(storeRate / plainRate),
            sinkToUnindexedCopy: ratio(sinkRate / unindexedRate),
            storeToUnindexedCopy: ratio(storeRate / unindexedRate),
            framing: config.schemaRegistry ? 'confluent (schema registry)' : 'single-object',
            ...(outcome === 'timeout' ? { stopped: `at --max-seconds ${maxSeconds}` } : {}),
          },
        },
        v.out ?? 'bench-results',
      );
      process.stderr.write(`bench sink: wrote ${file}\n`);
      return 0;
    } finally {
      await kadmin.deleteTopics({ topics: Object.values(topicNames(prefix)) }).catch(() => undefined);
      await kadmin.disconnect();
      await pool.end();
      await db.drop();
    }
  },
};
