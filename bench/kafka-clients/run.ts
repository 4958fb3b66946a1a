// `meterline bench kafka-clients` (issue 11 item 1): kafkajs vs node-rdkafka vs
// @platformatic/kafka on the configured broker, the same Avro sample records for all three, a
// fresh 6-partition topic per client and run: (1) idempotent acks=all produce, (2) a plain
// consumer group reading it back, timed from the group join, (3) consume-transform-produce in
// read_committed transactions committed every ~1 s with the offsets sent to the transaction.
// Each run visits the clients in a rotated order so a load swing on the shared machine does not
// always hit the same client; the table gives median and range over the runs, with the load.
import os from 'node:os';
import type { Command } from '../../cli/command.js';
import { UsageError } from '../../cli/command.js';
import { parseFlags } from '../../cli/args.js';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { waitForLeaders } from '../../kafka/topics.js';
import { report, type BenchModule } from '../report.js';
import { wholeNumberFlag as int } from '../flags.js';
import { runId, type ClientAdapter } from './adapter.js';
import { benchRecords } from './records.js';
import { summarise, markdownTable, type RunFigures } from './summary.js';

const CLIENTS = ['kafkajs', 'node-rdkafka', '@platformatic/kafka'] as const;

/** Loaded on demand: a client that does not load here (a failed native build) fails alone. */
async function adapterFor(name: string, kafka: ReturnType<typeof createKafka>, brokers: readonly string[]): Promise<ClientAdapter> {
  if (name === 'kafkajs') return (await import('./kafkajs.js')).kafkajsAdapter(kafka);
  if (name === 'node-rdkafka') return (await import('./rdkafka.js')).rdkafkaAdapter(brokers);
  return (await import('./platformatic.js')).platformaticAdapter(brokers);
}

/**
 * Runs one step and records the process's CPU time over it (every thread: librdkafka's own
 * included), µs — on a machine shared with other jobs this is the figure that does not depend
 * on how much of a core the bench was given. It includes the step's connect and group join.
 */
async function cpu<T>(row: RunFigures, step: 'produce' | 'read' | 'transform', f: () => Promise<T>): Promise<T> {
  const before = process.cpuUsage();
  const out = await f();
  const used = process.cpuUsage(before);
  (row.cpuMicros ??= {})[step] = used.user + used.system;
  return out;
}

const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

export const bench: BenchModule & Command = {
  summary: 'kafkajs vs node-rdkafka vs @platformatic/kafka: idempotent produce, transactions, group read',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      records: { type: 'string' },
      runs: { type: 'string' },
      clients: { type: 'string' },
      batch: { type: 'string' },
      'linger-ms': { type: 'string' },
      'commit-ms': { type: 'string' },
      servers: { type: 'string' },
      out: { type: 'string' },
    });
    const count = int(v.records, 'records', 100_000, 10, 10_000_000);
    const runs = int(v.runs, 'runs', 3, 1, 20);
    const settings = { batch: int(v.batch, 'batch', 2000, 1, 100_000), lingerMs: int(v['linger-ms'], 'linger-ms', 5, 0, 1000) };
    const commitMs = int(v['commit-ms'], 'commit-ms', 1000, 10, 60_000);
    const servers = int(v.servers, 'servers', 1000, 1, 1_000_000);
    const clients = v.clients ? v.clients.split(',') : [...CLIENTS];
    for (const c of clients) if (!(CLIENTS as readonly string[]).includes(c)) throw new UsageError(`--clients: unknown client ${JSON.stringify(c)} (one of ${CLIENTS.join(', ')})`);

    const config = loadConfig(process.env);
    const partitions = 6;
    const kafka = createKafka(config.kafka, { role: 'bench', level: 'error' });
    const admin = kafka.admin();
    await admin.connect();
    const figures: RunFigures[] = [];
    try {
      process.stderr.write(`bench kafka-clients: encoding ${count} Avro samples…\n`);
      const records = await benchRecords(config, count, servers);
      const bytes = records.reduce((n, r) => n + r.value.length, 0);
      process.stderr.write(`bench kafka-clients: ${(bytes / records.length).toFixed(0)} bytes per value on average\n`);
      for (let run = 0; run < runs; run++) {
        for (let k = 0; k < clients.length; k++) {
          const name = clients[(run + k) % clients.length] as string;
          const base = `kc.${runId()}`;
          const input = `${base}.in`;
          const output = `${base}.out`;
          const row: RunFigures = { client: name, run: run + 1, loadBefore: load(), loadAfter: '' };
          try {
            // kafkajs' own leader wait fails on a transient UNKNOWN_TOPIC_OR_PARTITION under load;
            // the project's waitForLeaders retries that.
            await admin.createTopics({ waitForLeaders: false, topics: [input, output].map((topic) => ({ topic, numPartitions: partitions })) });
            await waitForLeaders(admin, [input, output]);
            const adapter = await adapterFor(name, kafka, config.kafka.brokers);
            process.stderr.write(`bench kafka-clients: run ${run + 1}/${runs} ${name}: produce… `);
            row.produceSeconds = await cpu(row, 'produce', () => adapter.produce(input, records, settings));
            process.stderr.write('group read… ');
            // `count` records in the topic: the produce step's untimed first one and the rest.
            row.readSeconds = await cpu(row, 'read', () => adapter.readGroup(input, count));
            process.stderr.write('transactions…\n');
            const t = await cpu(row, 'transform', () => adapter.transform(input, output, count, commitMs, settings));
            row.transformSeconds = t.seconds;
            row.commitMs = t.commitMs;
            // Proof that sendOffsetsToTransaction took effect: the group's committed offsets
            // cover the whole input (fresh topic: offsets from 0, so they sum to `count`).
            const [committed] = await admin.fetchOffsets({ groupId: t.groupId, topics: [input] });
            const sum = (committed?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
            if (sum !== count) throw new Error(`transactions committed offsets for ${sum} of ${count} input records`);
          } catch (e) {
            row.error = e instanceof Error ? e.message : String(e);
            process.stderr.write(`\nbench kafka-clients: ${name} failed: ${row.error}\n`);
          } finally {
            row.loadAfter = load();
            figures.push(row);
            await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
          }
        }
      }
    } finally {
      await admin.disconnect();
    }
    const summary = summarise(figures, count);
    process.stdout.write(`${markdownTable(summary)}\n`);
    const best = Math.max(...summary.map((s) => s.produce?.median ?? 0));
    const file = report(
      {
        bench: 'kafka-clients',
        perSecond: best,
        unit: 'records/s (idempotent produce, fastest client, median)',
        details: { records: count, runs, partitions, ...settings, commitEveryMs: commitMs, summary, figures },
      },
      v.out ?? 'bench-results',
    );
    process.stderr.write(`bench kafka-clients: wrote ${file}\n`);
    return summary.every((s) => s.errors.length === 0) ? 0 : 1;
  },
};
