// `meterline bench ingest` (SPEC §11): HTTP POST batches → 202, i.e. Kafka acknowledged
// (acks=all). Starts the ingest role in-process on a loopback port against the configured
// Kafka (the local stack), with its own topic prefix (deleted afterwards) and an in-memory API
// key (the auth middleware still runs on every request). Bodies are serialised before the clock
// starts, so the figure is the server's. Client and server share this machine's cores: the
// figure is a floor for a dedicated ingest pod. Afterwards Kafka's own ProducerPerformance runs
// on the same broker (bench/producer-performance.ts; --no-reference skips it) for the ratio.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { parseFlags } from '../cli/args.js';
import { loadConfig, type Config } from '../config/env.js';
import { createApp } from '../api/app.js';
import { listen } from '../api/serve.js';
import { memoryKeyStore, issueKey, cachedKeyLookup } from '../api/auth/index.js';
import { startIngest } from '../pipeline/ingest/role.js';
import { createKafka } from '../kafka/client.js';
import { topicNames } from '../kafka/topics.js';
import { sampleToJson } from '../pipeline/samples/parse.js';
import { fleet } from '../loadgen/fleet.js';
import { progress } from '../loadgen/progress.js';
import { latencySummary, report, type BenchModule } from './report.js';
import { wholeNumberFlag as int } from './flags.js';
import { producerPerformance, type ProducerPerformanceResult } from './producer-performance.js';

/** ProducerPerformance (acks=all, idempotent) on a topic laid out like metrics.raw, same record count. */
async function kafkaReference(config: Config, prefix: string, records: number, recordSize: number): Promise<ProducerPerformanceResult> {
  const topic = `${prefix}producer-performance`;
  const admin = createKafka(config.kafka, { role: 'bench', level: 'error' }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor }] });
    process.stderr.write(`bench ingest: Kafka's ProducerPerformance, ${records} records of ${recordSize} bytes…\n`);
    return await producerPerformance({ brokers: config.kafka.brokers, topic, records, recordSize });
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

export const bench: BenchModule & Command = {
  summary: 'HTTP POST batches → Kafka acknowledged: events/s, p50/p99 request latency',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      samples: { type: 'string' }, batch: { type: 'string' }, concurrency: { type: 'string' }, servers: { type: 'string' },
      format: { type: 'string' }, 'max-seconds': { type: 'string' }, out: { type: 'string' },
      'record-size': { type: 'string' }, 'no-reference': { type: 'boolean' },
    });
    const recordSize = int(v['record-size'], 'record-size', 220, 1, 1_000_000);
    const samples = int(v.samples, 'samples', 200_000, 1, 20_000_000);
    const batchSize = int(v.batch, 'batch', 500, 1, 100_000);
    const concurrency = int(v.concurrency, 'concurrency', 4, 1, 256);
    const servers = int(v.servers, 'servers', 1000, 1, 1_000_000);
    const maxSeconds = int(v['max-seconds'], 'max-seconds', 120, 1, 3600);
    const format = v.format ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'json') throw new UsageError('--format must be ndjson or json');

    const prefix = `bench${randomBytes(3).toString('hex')}.`;
    const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix, METERLINE_MAX_BATCH_SAMPLES: String(Math.max(batchSize, 10_000)) });
    process.stderr.write(`bench ingest: preparing ${samples} samples in batches of ${batchSize} (${format})…\n`);
    const bodies: { body: string; count: number }[] = [];
    let batch: string[] = [];
    const flush = () => {
      if (batch.length === 0) return;
      bodies.push({ body: format === 'ndjson' ? `${batch.join('\n')}\n` : `[${batch.join(',')}]`, count: batch.length });
      batch = [];
    };
    const rounds = Math.ceil(samples / servers);
    const startMs = Math.floor((Date.now() - rounds * 60_000) / 60_000) * 60_000;
    let made = 0;
    for (const { sample } of fleet({ servers, rounds, intervalS: 60, startMs, seed: 1, duplicateShare: 0, outOfOrderShare: 0, lateShare: 0, resetShare: 0, allowedLatenessMs: config.allowedLatenessMs, windowMs: config.windowMs, serverPrefix: `${prefix}srv-` })) {
      if (made++ >= samples) break;
      batch.push(JSON.stringify(sampleToJson(sample)));
      if (batch.length >= batchSize) flush();
    }
    flush();

    const store = memoryKeyStore();
    const { secret } = await issueKey(store, { role: 'agent' });
    // Access logs at info would interleave with the table; the figure excludes their cost.
    process.env.METERLINE_LOG_LEVEL ??= 'warn';
    const app = createApp();
    const log = pino({ level: 'warn' }, pino.destination(2));
    const role = await startIngest(config, log, app, { lookup: cachedKeyLookup(store) });
    const server = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${server.port}/v1/samples`;
    const headers = { 'content-type': format === 'ndjson' ? 'application/x-ndjson' : 'application/json', authorization: `Bearer ${secret}` };
    const post = async (body: string) => {
      const res = await fetch(url, { method: 'POST', body, headers });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`bench ingest: POST answered ${res.status}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as { accepted: number };
    };
    try {
      // Warm-up (not timed): connections, topic metadata, schema registration.
      const warm = bodies.shift();
      if (warm) await post(warm.body);
      const bar = progress('bench ingest', samples);
      const latencies: number[] = [];
      let next = 0;
      let accepted = warm?.count ?? 0;
      let timedAccepted = 0;
      const t0 = performance.now();
      // CPU seconds of this process (HTTP client, ingest, kafkajs): on a shared machine the
      // load-independent figure of what a sample costs.
      const cpu0 = process.cpuUsage();
      const deadline = t0 + maxSeconds * 1000;
      let cut = false;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bodies.length) {
            if (performance.now() > deadline) {
              cut = true;
              return;
            }
            const b = bodies[next++] as { body: string; count: number };
            const s = performance.now();
            const r = await post(b.body);
            latencies.push(performance.now() - s);
            accepted += r.accepted;
            timedAccepted += r.accepted;
            bar.update(accepted);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      bar.end(accepted);
      const perSecond = timedAccepted / seconds;
      // Kafka's own producer on the same broker and topic layout, right after: the ratio of the two.
      const reference = v['no-reference'] ? undefined : await kafkaReference(config, prefix, timedAccepted, recordSize);
      const file = report({
        bench: 'ingest',
        perSecond,
        unit: 'events/s',
        latencyMs: latencySummary(latencies, `POST of ${batchSize} → 202`),
        details: {
          samples: timedAccepted, seconds: Number(seconds.toFixed(2)), requests: latencies.length, batch: batchSize, concurrency, servers, format,
          kafkaClient: config.kafka.client,
          framing: config.schemaRegistry ? 'confluent (schema registry)' : 'single-object', acks: 'all (idempotent producer)',
          partitions: config.kafka.partitions, ...(cut ? { stopped: `at --max-seconds ${maxSeconds}` } : {}),
          cpuMicrosPerSample: Math.round((cpu.user + cpu.system) / Math.max(1, timedAccepted)),
          ...(reference
            ? {
                kafkaProducerPerformance: Math.round(reference.recordsPerSecond),
                kafkaProducerP99Ms: reference.p99LatencyMs,
                kafkaProducerRecordSize: recordSize,
                ratioToKafkaProducer: Number((perSecond / reference.recordsPerSecond).toFixed(3)),
              }
            : {}),
        },
      }, v.out ?? 'bench-results');
      process.stderr.write(`bench ingest: wrote ${file}\n`);
      return 0;
    } finally {
      await server.stop();
      await role.stop();
      const admin = createKafka(config.kafka, { role: 'bench', level: 'error' }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(topicNames(prefix)) }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
