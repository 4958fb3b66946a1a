// `meterline bench rate-role` (issue 11 item 6): the rate role itself, through Kafka and
// PostgreSQL, at fleet scale. In a scratch database and topic prefix (both dropped):
//   1. `bench rate`'s catalogue of --servers servers over 100 customers (three meters);
//   2. --history-hours of earlier usage (one part per server, meter and hour) stored directly in
//      rating_parts, so each draft already has a month-so-far behind it;
//   3. the rate role starts (drafts synced; incremental mode builds the running usage state);
//   4. --minutes waves of parts (one per server and meter and minute) are produced to
//      usage.rollups, paced at --rate parts/s, while the role consumes them.
// Reported: parts/s (parts ÷ first produce → last draft commit), staleness per part (its
// produce acknowledgement → the commit of the batch whose drafts include it: p50/p99), the
// PostgreSQL transaction p99 (store and per-customer drafts), peak RSS, start-up time.
// `--mode full` runs the earlier role (every recompute reads the month's parts) for comparison.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Partitioners, type Message } from 'kafkajs';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { parseFlags } from '../cli/args.js';
import { loadConfig } from '../config/env.js';
import { createPool } from '../db/pool.js';
import { scratchDatabase } from './scratch-db.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../kafka/topics.js';
import { createSerde } from '../avro/registry.js';
import { rollupToRecord } from '../avro/records.js';
import { insertParts } from '../invoicing/db/parts.js';
import { seedFromCatalog } from '../invoicing/seed.js';
import { startRate } from '../invoicing/rate-role.js';
import { progress } from '../loadgen/progress.js';
import { latencySummary, report, type BenchModule } from './report.js';
import { doneOrTimeout, wholeNumberFlag as int } from './flags.js';
import { sampleRss } from './rss.js';
import { benchCatalog } from '../rating/bench.js';
import { METERS, ratePart, serverId } from './rate-role-fleet.js';

const PERIOD_START = Date.UTC(2026, 9, 1);
/** The bench's "now": mid-October, so each customer has exactly one open draft. */
const NOW = Date.UTC(2026, 9, 20);

/** Produce acknowledgements per partition, in offset order: (last offset, ack time, parts). */
type Acks = Map<number, { last: bigint; atMs: number; n: number }[]>;

export const bench: BenchModule & Command = {
  summary: 'the rate role through Kafka and PostgreSQL at fleet scale: parts/s, draft staleness p50/p99, transaction p99, peak RSS',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      servers: { type: 'string' },
      'history-hours': { type: 'string' },
      minutes: { type: 'string' },
      rate: { type: 'string' },
      mode: { type: 'string' },
      'max-seconds': { type: 'string' },
    });
    const servers = int(v.servers, 'servers', 10_000, 1, 1_000_000);
    const historyHours = int(v['history-hours'], 'history-hours', 24, 0, 24 * 19);
    const minutes = int(v.minutes, 'minutes', 3, 1, 1440);
    const rate = int(v.rate, 'rate', 5000, 1, 1_000_000);
    const maxSeconds = int(v['max-seconds'], 'max-seconds', 900, 1, 7200);
    const mode = v.mode ?? 'incremental';
    if (mode !== 'incremental' && mode !== 'full') throw new UsageError('--mode must be incremental or full');

    const tag = randomBytes(3).toString('hex');
    const prefix = `bench${tag}.`;
    const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
    const db = await scratchDatabase(config.database, tag);
    const pool = createPool({ ...config.database, url: db.url }, { applicationName: 'meterline-bench-rate-role', max: 6 });
    const kafka = createKafka(config.kafka, { role: 'bench', level: 'error' });
    const kadmin = kafka.admin();
    await kadmin.connect();
    const names = topicNames(prefix);
    try {
      const catalog = benchCatalog(servers, '2026-10');
      await seedFromCatalog(pool, catalog);

      const history = servers * METERS.length * historyHours;
      const load = progress('bench rate-role: history parts into rating_parts', history);
      let stored = 0;
      for (let h = 0; h < historyHours; h++) {
        const batch = [];
        for (let s = 0; s < servers; s++) for (let m = 0; m < METERS.length; m++) batch.push(ratePart(s, m, PERIOD_START + h * 3_600_000, 3_600_000, `h${h}`));
        for (let i = 0; i < batch.length; i += 5000) {
          await insertParts(pool, batch.slice(i, i + 5000).map((part, k) => ({ part, at: { topic: 'history', partition: 0, offset: String(stored + i + k) } })));
        }
        stored += batch.length;
        load.update(stored);
      }
      load.end(stored);

      await ensureTopics(kadmin, topicSpecs(config));
      const partitions = (await kadmin.fetchTopicMetadata({ topics: [names.rollups] })).topics[0]?.partitions.length ?? 1;
      const serde = await createSerde(config);
      const rss = sampleRss();
      const transactionMs: number[] = [];
      const stalenessMs: number[] = [];
      const acks: Acks = new Map();
      const total = servers * METERS.length * minutes;
      let rated = 0;
      let lastCommit = 0;
      let resolveDone: () => void = () => undefined;
      const finished = new Promise<void>((r) => (resolveDone = r));
      const bar = progress(`bench rate-role (${mode})`, total);

      const t0 = performance.now();
      const role = await startRate({
        kafka,
        pool,
        serde,
        topics: { rollups: names.rollups, dlq: names.dlq },
        ctx: { catalog, now: () => NOW },
        log: pino({ level: 'warn' }, pino.destination(2)),
        groupId: `${prefix}meterline-rate`,
        incremental: mode === 'incremental',
        onBatch: (info) => {
          const now = performance.now();
          transactionMs.push(...info.transactionMs);
          const queue = acks.get(info.partition) ?? [];
          const next = BigInt(info.nextOffset);
          // Every acknowledged produce call wholly below the committed offset is in a draft now.
          while (queue.length > 0 && (queue[0] as { last: bigint }).last < next) {
            const a = queue.shift() as { atMs: number; n: number };
            for (let k = 0; k < a.n; k++) stalenessMs.push(now - a.atMs);
          }
          rated += info.parts;
          lastCommit = now;
          bar.update(rated);
          if (rated >= total) resolveDone();
        },
      });
      const startupSeconds = (performance.now() - t0) / 1000;

      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const started = performance.now();
      let sent = 0;
      for (let w = 0; w < minutes; w++) {
        const windowStart = PERIOD_START + historyHours * 3_600_000 + w * 60_000;
        for (let s0 = 0; s0 < servers; s0 += 500) {
          const byPartition = new Map<number, Message[]>();
          for (let s = s0; s < Math.min(servers, s0 + 500); s++) {
            const partition = s % partitions;
            const list = byPartition.get(partition) ?? [];
            for (let m = 0; m < METERS.length; m++) list.push({ key: serverId(s), partition, value: await serde.encode('rollup', names.rollups, rollupToRecord(ratePart(s, m, windowStart, 60_000, `w${w}`))) });
            byPartition.set(partition, list);
          }
          const sentAt = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: names.rollups, messages: [...byPartition.values()].flat() }] });
          const ackMs = performance.now();
          for (const r of sentAt) {
            const n = byPartition.get(r.partition)?.length ?? 0;
            const queue = acks.get(r.partition) ?? [];
            queue.push({ last: BigInt(r.baseOffset ?? '0') + BigInt(n - 1), atMs: ackMs, n });
            acks.set(r.partition, queue);
            sent += n;
          }
          // Pace: never ahead of --rate parts/s.
          const ahead = (sent / rate) * 1000 - (performance.now() - started);
          if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
        }
      }
      const producedSeconds = (performance.now() - started) / 1000;
      await producer.disconnect();
      const outcome = await doneOrTimeout(finished, maxSeconds);
      bar.end(rated);
      await role.stop();
      const peakRssMiB = rss.stop();
      const seconds = (lastCommit - started) / 1000;
      const drafts = await pool.query<{ n: string }>("SELECT count(*) AS n FROM invoices WHERE status = 'draft'");
      const file = report({
        bench: 'rate-role',
        perSecond: rated / seconds,
        unit: 'parts/s',
        latencyMs: latencySummary(stalenessMs, 'staleness: part acknowledged on usage.rollups → its draft committed'),
        details: {
          mode,
          servers,
          customers: Object.keys(catalog.customers).length,
          historyParts: history,
          parts: rated,
          offeredPartsPerSecond: Math.round(sent / producedSeconds),
          seconds: Number(seconds.toFixed(2)),
          transactionMs: latencySummary(transactionMs, 'PostgreSQL transaction (store, per-customer drafts)'),
          transactions: transactionMs.length,
          startupSeconds: Number(startupSeconds.toFixed(2)),
          peakRssMiB,
          drafts: Number(drafts.rows[0]?.n ?? 0),
          ...(outcome === 'timeout' ? { stopped: `at --max-seconds ${maxSeconds}` } : {}),
        },
      });
      process.stderr.write(`bench rate-role: ${file}\n`);
      return outcome === 'done' ? 0 : 1;
    } finally {
      await kadmin.deleteTopics({ topics: Object.values(names).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
      await kadmin.disconnect();
      await pool.end();
      await db.drop();
    }
  },
};
