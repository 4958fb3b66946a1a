// Runs the pipeline roles as child processes (`node bin/meterline.js aggregate|sink`) against
// the local stack, each test file in its own topic prefix and database, and gives the tests
// what they wait on: a log line, the aggregate group's offsets reaching the end of the input,
// the stored rollups matching the reference model.
import { before, after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from './processes.js';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type pg from 'pg';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from '../../kafka/topics.js';
import { plainSerde } from '../../avro/serde.js';
import { sampleToRecord } from '../../avro/records.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { comparable, rowKey, REF_METERS, type Expected, type RefMeter } from './workload.js';

export interface Pipeline {
  prefix: string;
  topics: TopicNames;
  kafka: Kafka;
  db: FreshDb;
  env: NodeJS.ProcessEnv;
  catalogFile: string;
  close(): Promise<void>;
}

export async function pipeline(
  label: string,
  catalogYaml: string,
  env: Record<string, string>,
): Promise<Pipeline> {
  const prefix = `t${randomBytes(4).toString('hex')}.${label}.`;
  const db = await freshDb(label);
  const dir = mkdtempSync(join(tmpdir(), 'meterline-e2e-'));
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, catalogYaml);
  // PORT 0: each role process serves its ops endpoints on a free port, never the developer's 8080.
  const fullEnv = {
    ...process.env,
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: db.url,
    METERLINE_LOG_LEVEL: 'info',
    PORT: '0',
    ...env,
  };
  const config = loadConfig(fullEnv);
  const kafka = createKafka(config.kafka, { role: 'test', level: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(config));
  await admin.disconnect();
  return {
    prefix,
    topics: topicNames(prefix),
    kafka,
    db,
    env: fullEnv,
    catalogFile,
    async close() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test file's pipeline as its tests see it: dropped by the file's `after` hook, not by them. */
export interface E2EPipeline extends Omit<Pipeline, 'close'> {
  /** Starts a role process that the file's `after` hook SIGKILLs. */
  start(role: RoleName, args?: string[], env?: Record<string, string>): RoleProcess;
}

/**
 * Registers the test file's hooks: `before` creates its pipeline (own topic prefix, database and
 * catalogue file), `after` kills every role process started through it and drops the pipeline.
 * The returned object reads through to that pipeline once `before` has run.
 */
export function e2ePipeline(label: string, catalogYaml: string, env: Record<string, string>): E2EPipeline {
  let current: Pipeline | undefined;
  const children: RoleProcess[] = [];
  const p = (): Pipeline => {
    if (current === undefined) throw new Error(`the ${label} pipeline is used before its before() hook ran`);
    return current;
  };
  before(async () => {
    current = await pipeline(label, catalogYaml, env);
  });
  after(async () => {
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    await current?.close();
  });
  return {
    get prefix() {
      return p().prefix;
    },
    get topics() {
      return p().topics;
    },
    get kafka() {
      return p().kafka;
    },
    get db() {
      return p().db;
    },
    get env() {
      return p().env;
    },
    get catalogFile() {
      return p().catalogFile;
    },
    start(role, args = [], roleEnv = {}) {
      const child = new RoleProcess(role, p(), args, roleEnv);
      children.push(child);
      return child;
    },
  };
}

export type RoleName = 'aggregate' | 'sink' | 'rate' | 'ingest';

/** A role child process (`meterline <role> --catalog <the pipeline's>`) in the pipeline's environment. */
export class RoleProcess extends Child {
  constructor(
    role: RoleName,
    p: Pick<Pipeline, 'env' | 'catalogFile'>,
    args: string[] = [],
    env: Record<string, string> = {},
  ) {
    const catalog = role === 'ingest' ? [] : ['--catalog', p.catalogFile];
    super(role, [role, ...catalog, ...args], { ...p.env, ...env });
  }
}

/** Sends samples as Avro records keyed by server_id (the partitioner ingest uses). */
export async function produceSamples(
  kafka: Kafka,
  topic: string,
  samples: readonly Sample[],
  batch = 5000,
): Promise<void> {
  const serde = plainSerde();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < samples.length; i += batch) {
      const messages: Message[] = [];
      for (const s of samples.slice(i, i + batch))
        messages.push({ key: s.serverId, value: await serde.encode('sample', topic, sampleToRecord(s)) });
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** One sample per partition far ahead in event time with no metered metric: moves every watermark past the data. */
export async function closeWindows(
  kafka: Kafka,
  topic: string,
  partitions: number,
  tsMs: number,
): Promise<void> {
  const serde = plainSerde();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages: Message[] = [];
  for (let p = 0; p < partitions; p++) {
    const s: Sample = {
      id: `closer-${p}-${tsMs}`,
      serverId: `closer-${p}`,
      tsMs,
      metrics: { heartbeat: '1' },
      labels: {},
    };
    messages.push({
      key: s.serverId,
      partition: p,
      value: await serde.encode('sample', topic, sampleToRecord(s)),
    });
  }
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

/** Polls (an event condition, not a fixed sleep) until `check` returns true. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${onTimeout ? `: ${await onTimeout()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when the group's committed offsets on `topic` reached the end of every partition. */
export async function groupAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => {
      const c = committed?.partitions.find((x) => x.partition === e.partition);
      return c !== undefined && BigInt(c.offset) >= BigInt(e.high);
    });
  } finally {
    await admin.disconnect();
  }
}

/** Stored parts merged per (server, meter, window): what the store says, for comparison. */
export async function storedRollups(pool: pg.Pool, windowMs: number): Promise<Map<string, Expected>> {
  const { rows } = await pool.query<{
    server_id: string;
    meter: string;
    w: string;
    n: string;
    s: string;
    mx: string | null;
    mn: string | null;
    l: string | null;
    d: string[] | null;
  }>(
    `SELECT server_id, meter, (floor(extract(epoch FROM window_start) * 1000 / $1) * $1)::bigint::text AS w,
            sum(sample_count)::text AS n, sum(sum)::text AS s, max(max)::text AS mx, min(min)::text AS mn,
            ((array_agg(latest ORDER BY latest_ts DESC) FILTER (WHERE latest IS NOT NULL))[1])::text AS l,
            (SELECT array_agg(DISTINCT v ORDER BY v) FROM unnest(rollup_text_union(distinct_values)) v) AS d
     FROM rollup_parts GROUP BY 1, 2, 3`,
    [windowMs],
  );
  const out = new Map<string, Expected>();
  for (const r of rows) {
    const e: Expected = { count: Number(r.n), sum: r.s };
    if (r.mx !== null) e.max = r.mx;
    if (r.mn !== null) e.min = r.mn;
    if (r.l !== null) e.latest = r.l;
    if (r.d !== null) e.distinct = r.d;
    out.set(rowKey(r.server_id, r.meter, Number(r.w)), e);
  }
  return out;
}

/** Differences between expected and stored rollups (empty = equal), at most `limit` listed. */
export function diffRollups(
  expected: Map<string, Expected>,
  stored: Map<string, Expected>,
  limit = 10,
  meters: readonly RefMeter[] = REF_METERS,
): string[] {
  const out: string[] = [];
  for (const [k, e] of expected) {
    const meter = k.split('|')[1] as string;
    const s = stored.get(k);
    const want = JSON.stringify(comparable(meter, e, meters));
    const got = s === undefined ? 'missing' : JSON.stringify(comparable(meter, s, meters));
    if (want !== got) out.push(`${k}: expected ${want}, stored ${got}`);
  }
  for (const k of stored.keys()) if (!expected.has(k)) out.push(`${k}: stored but not expected`);
  return out.slice(0, limit).concat(out.length > limit ? [`… ${out.length - limit} more`] : []);
}

/**
 * Waits until the aggregate group committed every input offset, then until the stored rollups
 * equal `expected`; a timeout shows the aggregate's last lines, or the differences left.
 */
export async function untilRollupsMatch(
  p: Pick<Pipeline, 'kafka' | 'prefix' | 'topics' | 'db'>,
  aggregate: RoleProcess,
  expected: Map<string, Expected>,
  o: { windowMs: number; groupTimeoutMs: number; storedTimeoutMs: number; meters?: readonly RefMeter[] },
): Promise<void> {
  await until(
    'the aggregate group to commit every input offset',
    () => groupAtEnd(p.kafka, `${p.prefix}meterline-aggregate`, p.topics.raw),
    o.groupTimeoutMs,
    async () => aggregate.tail(),
  );
  const differences = async () => diffRollups(expected, await storedRollups(p.db.pool, o.windowMs), 10, o.meters);
  await until(
    'the stored rollups to equal the reference',
    async () => (await differences()).length === 0,
    o.storedTimeoutMs,
    async () => (await differences()).join('\n'),
  );
}
