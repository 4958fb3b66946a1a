// `meterline bench aggregate` (SPEC §11): Avro samples pre-loaded into a local Kafka topic →
// rollups on usage.rollups, through the real aggregate role (one process, in-process: Redis
// dedup, Kafka transactions with state checkpoints) — events/s per process, beside the raw read
// rate of the same topic (a kafkajs consumer that only iterates the records) and the rate of
// that read plus Avro decoding; then the restore of a partition after `kill -9` of a role
// process (kill-restore.ts). Own topic prefix, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { UsageError, type Command } from '../cli/command.js';
import { durationFlag, parseFlags } from '../cli/args.js';
import { loadConfig } from '../config/env.js';
import { loadCatalog } from '../catalog/load.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../kafka/topics.js';
import { createSerde } from '../avro/registry.js';
import { sampleToRecord } from '../avro/records.js';
import { fleet } from '../loadgen/fleet.js';
import { progress } from '../loadgen/progress.js';
import { DEFAULT_DEDUP_PREFIX, redisDedup } from '../pipeline/aggregate/dedup.js';
import { aggregatorSettings } from '../pipeline/aggregate/index.js';
import { startAggregate } from '../pipeline/aggregate/role.js';
import { transactionsFor } from '../pipeline/aggregate/transaction.js';
import { latencySummary, report, type BenchModule } from './report.js';
import { sampleRss } from './rss.js';
import { checkJar, DEFAULT_KSTREAMS_JAR, runKstreams, type KstreamsRun } from './kstreams.js';
import { doneOrTimeout, wholeNumberFlag as int } from './flags.js';
import { runRoleProcess } from './role-process.js';
import { produceAtRate } from './live-phase.js';
import { PartitionPositions } from './partition-positions.js';
import { scratchDatabase, type ScratchDb } from './scratch-db.js';
import { KILL_ROUND_SAMPLES, KILL_ROUND_SECONDS, restoreAfterKill, restoreDetails, type KillRestoreRun } from './kill-restore.js';

/** Reads the whole topic with a fresh group; `perRecord` runs on each record. Returns seconds from the group join. */
async function readAll(
  kafka: Kafka,
  topic: string,
  total: number,
  perRecord: (m: { value: Buffer | null }) => Promise<void> | void,
): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `${topic}-read-${randomBytes(3).toString('hex')}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  // A restarted consumer re-reads from offset 0: each record counts (and is handled) once.
  const positions = new PartitionPositions();
  let t0 = 0;
  const seconds = await new Promise<number>((resolve, reject) => {
    // A retriable crash is restarted by kafkajs itself: only a final one ends the read.
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) reject(e.payload.error);
    });
    // Timed from the first group join (as the role's own figure includes its join), not the
    // first batch; a restart's join does not restart the clock.
    consumer.on(consumer.events.GROUP_JOIN, () => (t0 ||= performance.now()));
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        for (const m of positions.fresh(batch.partition, batch.messages)) await perRecord(m);
        if (positions.seen >= total) resolve((performance.now() - t0) / 1000);
      },
    });
  });
  await consumer.disconnect();
  return seconds;
}

export const bench: BenchModule & Command = {
  summary: 'Avro samples in Kafka → rollups: events/s per aggregate process, beside the raw read rate',
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      samples: { type: 'string' },
      servers: { type: 'string' },
      catalog: { type: 'string' },
      'max-seconds': { type: 'string' },
      out: { type: 'string' },
      'compare-kstreams': { type: 'boolean' },
      'kstreams-jar': { type: 'string' },
      'role-process': { type: 'boolean' },
      'role-node-options': { type: 'string' },
      'role-built': { type: 'boolean' },
      'live-seconds': { type: 'string' },
      'live-rate': { type: 'string' },
      'session-timeout': { type: 'string' },
    });
    const jar = v['kstreams-jar'] ?? DEFAULT_KSTREAMS_JAR;
    if (v['compare-kstreams']) checkJar(jar);
    const samples = int(v.samples, 'samples', 200_000, 1, 10_000_000);
    const servers = int(v.servers, 'servers', 1000, 1, 1_000_000);
    const maxSeconds = int(v['max-seconds'], 'max-seconds', 300, 1, 3600);
    // After the catch-up, the fleet at its own pace (one sample per server a minute) by default.
    const liveSeconds = int(v['live-seconds'], 'live-seconds', 0, 0, 3600);
    const liveRate = int(v['live-rate'], 'live-rate', Math.max(1, Math.round(servers / 60)), 1, 1_000_000);
    // The session timeout of the role processes in the restore after kill -9 (default: the role's own).
    const sessionTimeoutMs = durationFlag('session-timeout', v['session-timeout']);
    if (liveSeconds > 0 && !v['role-process']) throw new UsageError('--live-seconds needs --role-process (the role measured alone)');
    const prefix = `bench${randomBytes(3).toString('hex')}.`;
    // A short dedup horizon: the bench's sample ids need not stay in Redis for 35 days.
    const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix, METERLINE_DEDUP_HORIZON: '10m' });
    const catalog = await loadCatalog(v.catalog ?? config.catalogPath ?? 'examples/catalog.yaml');
    const kafka = createKafka(config.kafka, { role: 'bench', level: 'error' });
    const names = topicNames(prefix);
    const admin = kafka.admin();
    await admin.connect();
    const redis = new Redis(config.redisUrl);
    let producer: Producer | undefined;
    let db: ScratchDb | undefined;
    try {
      await ensureTopics(admin, topicSpecs(config));
      const serde = await createSerde(config);
      // Pre-load (not timed): 1-minute scrapes of a fleet, in time order, 1% duplicates.
      const rounds = Math.ceil(samples / servers);
      const liveRounds = liveSeconds > 0 ? Math.ceil((liveSeconds * liveRate) / servers) + 1 : 0;
      // The restore's premise: the killed role has read records it has not committed.
      const killSamples = Math.max(servers, KILL_ROUND_SAMPLES);
      const startMs = Math.floor((Date.now() - rounds * 60_000) / 60_000) * 60_000;
      const into = kafka.producer({
        idempotent: true,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = into;
      await into.connect();
      // Iterated by hand: the live phase, then the samples the role to be killed reads, go on
      // with the same fleet where the pre-load stopped.
      const sent = fleet({
        servers,
        rounds: rounds + liveRounds + Math.ceil(killSamples / servers),
        intervalS: 60,
        startMs,
        seed: 1,
        duplicateShare: 0.01,
        outOfOrderShare: 0,
        lateShare: 0,
        resetShare: 0.001,
        allowedLatenessMs: config.allowedLatenessMs,
        windowMs: config.windowMs,
        serverPrefix: 'srv-',
      });
      const load = progress('bench aggregate: loading', samples);
      let made = 0;
      let batch: Message[] = [];
      while (made < samples) {
        const next = sent.next();
        if (next.done === true) break;
        const { sample } = next.value;
        made++;
        batch.push({
          key: sample.serverId,
          value: await serde.encode('sample', names.raw, sampleToRecord(sample)),
        });
        if (batch.length >= 5000) {
          await into.send({ topic: names.raw, acks: -1, messages: batch });
          batch = [];
          load.update(made);
        }
      }
      if (batch.length > 0) await into.send({ topic: names.raw, acks: -1, messages: batch });
      load.end(made);
      // Role processes (--role-process, and the restore after kill -9) need the schema: their own
      // database, migrated, dropped at the end (scratch-db.ts).
      db = await scratchDatabase(config.database, prefix.slice('bench'.length, -1));
      const roleEnv = { ...process.env, DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, METERLINE_DEDUP_HORIZON: '10m', METERLINE_CATALOG: v.catalog ?? config.catalogPath ?? 'examples/catalog.yaml' };
      // Restore after kill -9 (kill-restore.ts), once the measured run is over: role processes
      // like the deployed one, on the same group and topic.
      const killAndRestore = (): Promise<KillRestoreRun> => {
        process.stderr.write('bench aggregate: restore of every partition after kill -9 of a role process…\n');
        return restoreAfterKill({
          admin,
          env: roleEnv,
          groupId: `${prefix}meterline-aggregate`,
          topic: names.raw,
          // Over a few seconds: the role commits some (the cue to kill it) while more still come.
          more: () =>
            produceAtRate({
              producer: into,
              topic: names.raw,
              samples: sent,
              encode: (s) => serde.encode('sample', names.raw, sampleToRecord(s)),
              rate: Math.ceil(killSamples / KILL_ROUND_SECONDS),
              seconds: KILL_ROUND_SECONDS,
              label: 'bench aggregate: samples for the role to be killed in',
            }),
          maxSeconds,
          ...(v['role-node-options'] ? { nodeOptions: v['role-node-options'] } : {}),
          ...(v['role-built'] ? { built: true } : {}),
          ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
        });
      };

      process.stderr.write('bench aggregate: raw read of the topic…\n');
      const rawSeconds = await readAll(kafka, names.raw, made, () => undefined);
      process.stderr.write('bench aggregate: read + Avro decode…\n');
      const decodeSeconds = await readAll(
        kafka,
        names.raw,
        made,
        async (m) => void (await serde.decode('sample', names.raw, m.value as Buffer)),
      );

      const ends = new Map(
        (await admin.fetchTopicOffsets(names.raw)).map((o) => [o.partition, BigInt(o.high)]),
      );
      if (v['role-process']) {
        // The role's own memory (issue 11): `meterline aggregate` in a child process, nothing else.
        process.stderr.write('bench aggregate: the role as a child process…\n');
        const run = await runRoleProcess({
          admin,
          env: roleEnv,
          groupId: `${prefix}meterline-aggregate`,
          topic: names.raw,
          ends,
          samples: made,
          maxSeconds,
          ...(v['role-node-options'] ? { nodeOptions: v['role-node-options'] } : {}),
          ...(v['role-built'] ? { built: true } : {}),
          ...(liveSeconds > 0
            ? {
                live: () =>
                  produceAtRate({
                    producer: into,
                    topic: names.raw,
                    samples: sent,
                    encode: (s) => serde.encode('sample', names.raw, sampleToRecord(s)),
                    rate: liveRate,
                    seconds: liveSeconds,
                  }),
              }
            : {}),
        });
        const { seconds, timedOut, live: paced, ...memory } = run;
        const live = paced ? { rate: liveRate, ...paced } : undefined;
        // A catch-up that timed out left input uncommitted: no restore measured on top of it.
        const restore = timedOut ? {} : restoreDetails(await killAndRestore());
        const details = { samples: made, servers, ...(live ? { live } : {}), seconds: Number(seconds.toFixed(2)), processes: 1, roleProcess: true, ...memory, ...restore, ...(timedOut ? { stopped: `at --max-seconds ${maxSeconds}` } : {}) };
        const file = report({ bench: 'aggregate', perSecond: made / seconds, unit: 'events/s (child process, from its start)', details }, v.out ?? 'bench-results');
        process.stderr.write(`bench aggregate: wrote ${file}\n`);
        return 0;
      }
      const bar = progress('bench aggregate', made);
      const commitMs: number[] = [];
      let parts = 0;
      let lastCommit = 0;
      const done = new Map<number, bigint>();
      let resolveDone: () => void = () => undefined;
      const finished = new Promise<void>((r) => (resolveDone = r));
      const rssAtStartMiB = Math.round(process.memoryUsage.rss() / 2 ** 20);
      const rss = sampleRss();
      const started = performance.now();
      // CPU of the whole process (every thread: librdkafka's too) over the aggregate phase: a
      // per-sample cost that a busy shared machine slows down far less than the rate.
      const cpu0 = process.cpuUsage();
      // The role as `meterline aggregate` runs it; the callbacks differ between the two runs.
      const roleOptions = {
        kafka,
        serde,
        // The claims' keys and marks as the role process names them: the restore after kill -9
        // (role processes) finds the marks this run left.
        dedup: redisDedup(redis, config.dedupHorizonMs, `${prefix}${DEFAULT_DEDUP_PREFIX}`, names.raw),
        topics: { raw: names.raw, rollups: names.rollups, dlq: names.dlq, state: names.aggregateState },
        aggregator: aggregatorSettings(catalog, config),
        log: pino({ level: 'warn' }, pino.destination(2)),
        groupId: `${prefix}meterline-aggregate`,
      };
      // METERLINE_KAFKA_CLIENT, as the role runs; one per role (its stop closes them).
      const transactions = () =>
        transactionsFor(config.kafka, kafka, (level, msg) => roleOptions.log[level](`kafka: ${msg}`), { metadataTopic: names.rollups });
      const role = await startAggregate({
        ...roleOptions,
        transactions: transactions(),
        onCommit: (info) => {
          lastCommit = performance.now();
          commitMs.push(info.durationMs);
          parts += info.parts;
          done.set(info.partition, BigInt(info.nextOffset));
          // Fresh topic: offsets start at 0, so the committed next offsets sum to records consumed.
          bar.update(Number([...done.values()].reduce((a, b) => a + b, 0n)));
          if ([...ends].every(([p, end]) => (done.get(p) ?? 0n) >= end)) resolveDone();
        },
      });
      const outcome = await doneOrTimeout(finished, maxSeconds);
      const cpu = process.cpuUsage(cpu0);
      await role.stop();
      const peakRssMiB = rss.stop();
      bar.end(made);
      let ks: KstreamsRun | undefined;
      if (v['compare-kstreams']) {
        process.stderr.write('bench aggregate: the Kafka Streams reference on the same topic…\n');
        const output = `${prefix}kstreams.out`;
        await admin.createTopics({ topics: [{ topic: output, numPartitions: config.kafka.partitions }], waitForLeaders: true });
        ks = await runKstreams({ jar, kafka, brokers: config.kafka.brokers, input: names.raw, output, records: made, ends, meters: Object.values(catalog.meters), maxSeconds });
        await admin.deleteTopics({ topics: [output] }).catch(() => undefined);
      }
      // After Kafka Streams, which reads the topic up to `ends`: this adds samples to it.
      const restore = outcome === 'done' ? restoreDetails(await killAndRestore()) : {};
      // From the consumer's start (group join, restore, first fetch included) to the last commit.
      const seconds = ((outcome === 'done' ? lastCommit : performance.now()) - started) / 1000;
      const file = report(
        {
          bench: 'aggregate',
          perSecond: made / seconds,
          unit: 'events/s',
          latencyMs: latencySummary(commitMs, 'transaction commit (parts + state + offsets)'),
          details: {
            samples: made,
            servers,
            seconds: Number(seconds.toFixed(2)),
            partitions: config.kafka.partitions,
            processes: 1,
            client: config.kafka.client === 'rdkafka' ? 'node-rdkafka transactions, kafkajs consumer group' : 'kafkajs',
            rollupParts: parts,
            cpuUsPerSample: Number(((cpu.user + cpu.system) / made).toFixed(1)),
            peakRssMiB,
            // The bench process held the pre-load and the read phases before: RSS at the
            // aggregate phase's start says how much of the peak the role itself added.
            rssAtStartMiB,
            ...restore,
            rawReadPerSecond: Math.round(made / rawSeconds),
            ratioToRawRead: Number((made / seconds / (made / rawSeconds)).toFixed(4)),
            ...(ks
              ? {
                  kstreamsPerSecond: Math.round(ks.perSecond),
                  ratioToKstreams: Number((made / seconds / ks.perSecond).toFixed(2)),
                  javaRawReadPerSecond: Math.round(ks.javaRawPerSecond),
                  ratioToJavaRawRead: Number((made / seconds / ks.javaRawPerSecond).toFixed(4)),
                }
              : {}),
            readAndDecodePerSecond: Math.round(made / decodeSeconds),
            framing: config.schemaRegistry ? 'confluent (schema registry)' : 'single-object',
            window: config.windowMs / 1000 + ' s',
            ...(outcome === 'timeout' ? { stopped: `at --max-seconds ${maxSeconds}` } : {}),
          },
        },
        v.out ?? 'bench-results',
      );
      process.stderr.write(`bench aggregate: wrote ${file}\n`);
      return 0;
    } finally {
      await producer?.disconnect().catch(() => undefined);
      await db?.drop().catch(() => undefined);
      await admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined);
      await admin.disconnect();
      redis.disconnect();
    }
  },
};
