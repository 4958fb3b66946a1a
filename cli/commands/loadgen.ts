// `meterline loadgen`: a synthetic agent fleet (loadgen/fleet.ts) sent over HTTP or straight to
// Kafka, with a progress line and a summary; `--out FILE` writes exactly what was sent as
// NDJSON (so tests compute expected rollups independently), `--dry-run` only writes the file.
import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { parseTimestamp } from '../../pipeline/samples/timestamp.js';
import { runLoadgen } from '../../loadgen/run.js';
import { httpSender, kafkaSender, type Sender } from '../../loadgen/senders.js';
import type { FleetOptions } from '../../loadgen/fleet.js';

const USAGE = `usage: meterline loadgen [--servers N] [--rounds N] [--interval SECONDS] [--start TIME] [--seed N]
         [--duplicates SHARE] [--out-of-order SHARE] [--late SHARE] [--resets SHARE]
         [--to http|kafka] [--url URL] [--key KEY | --key-file FILE] [--batch N] [--concurrency N] [--format ndjson|json]
         [--out FILE] [--dry-run] [--rate N] [--max-seconds N]`;

function num(v: string | undefined, name: string, dflt: number, min: number, max: number, integer = true): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} ${JSON.stringify(v)}: must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

export const command: Command = {
  summary: 'synthetic agent fleet → HTTP ingest or Kafka (duplicates, disorder, late samples, counter resets), with --out NDJSON',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      servers: { type: 'string' }, rounds: { type: 'string' }, interval: { type: 'string' }, start: { type: 'string' }, seed: { type: 'string' },
      duplicates: { type: 'string' }, 'out-of-order': { type: 'string' }, late: { type: 'string' }, resets: { type: 'string' },
      to: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' }, 'key-file': { type: 'string' }, batch: { type: 'string' },
      concurrency: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'dry-run': { type: 'boolean' },
      rate: { type: 'string' }, 'max-seconds': { type: 'string' }, help: { type: 'boolean' },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    const config = loadConfig();
    const servers = num(v.servers, 'servers', 10, 1, 100_000);
    const rounds = num(v.rounds, 'rounds', 10, 1, 1_000_000);
    if (servers * rounds > 50_000_000) throw new UsageError('--servers × --rounds is over 50 000 000 samples; keep runs bounded');
    const intervalS = num(v.interval, 'interval', 60, 1, 86_400);
    let startMs: number;
    if (v.start) {
      const t = parseTimestamp(v.start);
      if (!t.ok) throw new UsageError(`--start: ${t.reason}`);
      startMs = t.ms;
    } else {
      // Default: the run ends now, so every sample (late ones included) is inside ingest's window.
      const intervalMs = intervalS * 1000;
      startMs = Math.floor((Date.now() - rounds * intervalMs) / intervalMs) * intervalMs;
    }
    const fleet: FleetOptions = {
      servers, rounds, intervalS, startMs,
      seed: num(v.seed, 'seed', 1, 0, 2 ** 32 - 1),
      duplicateShare: num(v.duplicates, 'duplicates', 0.01, 0, 1, false),
      outOfOrderShare: num(v['out-of-order'], 'out-of-order', 0.02, 0, 1, false),
      lateShare: num(v.late, 'late', 0.005, 0, 1, false),
      resetShare: num(v.resets, 'resets', 0.001, 0, 1, false),
      allowedLatenessMs: config.allowedLatenessMs,
      windowMs: config.windowMs,
    };
    if (fleet.outOfOrderShare + fleet.lateShare > 1) throw new UsageError('--out-of-order + --late must not exceed 1');
    const batch = num(v.batch, 'batch', 500, 1, config.maxBatchSamples);
    const maxSeconds = num(v['max-seconds'], 'max-seconds', 600, 1, 86_400);
    const dryRun = v['dry-run'] === true;
    if (dryRun && !v.out) throw new UsageError('--dry-run writes only the --out file; give --out FILE');
    const to = v.to ?? 'http';
    if (to !== 'http' && to !== 'kafka') throw new UsageError('--to must be http or kafka');

    let sender: Sender | undefined;
    let close = async () => {};
    if (!dryRun && to === 'http') {
      const key = v.key ?? (v['key-file'] ? readFileSync(v['key-file'], 'utf8').trim() : undefined);
      if (!key) throw new UsageError('sending over HTTP needs an agent key: --key KEY or --key-file FILE (meterline keys create --role agent)');
      const format = v.format ?? 'ndjson';
      if (format !== 'ndjson' && format !== 'json') throw new UsageError('--format must be ndjson or json');
      sender = httpSender({ url: v.url ?? `http://127.0.0.1:${config.port}`, key, batch, concurrency: num(v.concurrency, 'concurrency', 4, 1, 64), format });
    } else if (!dryRun) {
      const { createKafka } = await import('../../kafka/client.js');
      const { createRecordProducer } = await import('../../kafka/record-producer.js');
      const { topicName, ensureTopics, topicSpecs } = await import('../../kafka/topics.js');
      const { createSerde } = await import('../../avro/registry.js');
      const kafka = createKafka(config.kafka, { role: 'loadgen' });
      // Topics are created by whichever meterline process comes first (idempotent), never by
      // broker auto-creation (which would give metrics.raw one partition and default retention).
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, topicSpecs(config));
      } finally {
        await admin.disconnect();
      }
      const producer = createRecordProducer(config.kafka, { kafka, role: 'loadgen' });
      sender = kafkaSender({ producer, serde: await createSerde(config), topic: topicName(config.kafka.topicPrefix, 'raw'), batch });
      close = () => producer.close();
    }
    try {
      const r = await runLoadgen({ fleet, ...(sender ? { sender } : {}), ...(v.out ? { outFile: v.out } : {}), maxSeconds, ...(v.rate ? { rate: num(v.rate, 'rate', 0, 1, 10_000_000) } : {}) });
      const f = r.fleet;
      const lines = [
        `loadgen: ${f.sent} samples sent (${f.generated} generated for ${servers} servers × ${rounds} rounds from ${new Date(startMs).toISOString()}, seed ${fleet.seed})`,
        `  disorder: ${f.duplicates} duplicates, ${f.outOfOrder} out of order, ${f.late} late (beyond ${config.allowedLatenessMs / 1000} s), ${f.resets} counter resets`,
      ];
      if (r.send) {
        lines.push(`  ${to}: ${r.send.accepted} accepted, ${r.send.rejected} rejected, ${r.send.requests} requests, ${r.send.retries} retries, ${r.seconds.toFixed(1)} s (${Math.round(f.sent / r.seconds)}/s)`);
        for (const reason of r.send.reasons) lines.push(`  rejected: ${reason}`);
      }
      if (v.out) lines.push(`  wrote ${v.out}`);
      if (r.stoppedByTimeLimit) lines.push(`  stopped at the time limit (--max-seconds ${maxSeconds})`);
      process.stderr.write(`${lines.join('\n')}\n`);
      return r.stoppedByTimeLimit || (r.send?.rejected ?? 0) > 0 ? 1 : 0;
    } finally {
      await close();
    }
  },
};

