// loadgen against the real stack: over HTTP through an in-process ingest listener, and straight
// to Kafka. What lands on metrics.raw is exactly what the --out file says was sent (duplicates
// included): nothing accepted is lost, nothing is invented.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/env.js';
import { createApp } from '../../api/app.js';
import { listen, type HttpServer } from '../../api/serve.js';
import { createKafka } from '../../kafka/client.js';
import { createAckedProducer } from '../../kafka/producer.js';
import { topicNames } from '../../kafka/topics.js';
import { createSerde } from '../../avro/registry.js';
import { recordToSample } from '../../avro/records.js';
import { memoryKeyStore, issueKey, cachedKeyLookup } from '../../api/auth/index.js';
import { startIngest } from '../../pipeline/ingest/role.js';
import { runLoadgen } from '../../loadgen/run.js';
import { httpSender, kafkaSender } from '../../loadgen/senders.js';
import type { FleetOptions } from '../../loadgen/fleet.js';
import { collect } from '../kafka/read-topic.js';

const prefix = `t${randomBytes(4).toString('hex')}.loadgen.`;
const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix });
const topics = topicNames(prefix);
const dir = mkdtempSync(join(tmpdir(), 'meterline-loadgen-'));
const kafka = createKafka(config.kafka, { role: 'test-loadgen', level: 'nothing' });
let server: HttpServer;
let stop: () => Promise<void>;
let secret = '';
let reader: Awaited<ReturnType<typeof collect>>;

const fleetOpts = (seed: number): FleetOptions => ({
  servers: 8, rounds: 30, intervalS: 60, startMs: Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000, seed,
  duplicateShare: 0.05, outOfOrderShare: 0.05, lateShare: 0.03, resetShare: 0.01, allowedLatenessMs: config.allowedLatenessMs, windowMs: config.windowMs,
});

/** id → how many times, from the NDJSON file. */
function countsInFile(file: string) {
  const counts = new Map<string, number>();
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  for (const l of lines) {
    const id = (JSON.parse(l) as { id: string }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return { counts, lines: lines.length };
}

async function countsOnTopic(idPrefix: string) {
  const serde = await createSerde(config);
  const counts = new Map<string, number>();
  const partitionOf = new Map<string, number>();
  for (const g of reader.got) {
    const s = recordToSample(await serde.decode('sample', topics.raw, g.message.value as Buffer));
    assert.ok(s.ok);
    if (!s.sample.id.startsWith(idPrefix)) continue;
    counts.set(s.sample.id, (counts.get(s.sample.id) ?? 0) + 1);
    const p = partitionOf.get(s.sample.serverId);
    assert.ok(p === undefined || p === g.partition, `${s.sample.serverId} on one partition`);
    partitionOf.set(s.sample.serverId, g.partition);
  }
  return counts;
}

before(async () => {
  const store = memoryKeyStore();
  secret = (await issueKey(store, { role: 'agent' })).secret;
  const app = createApp();
  const running = await startIngest(config, pino({ level: 'silent' }), app, { kafka, lookup: cachedKeyLookup(store) });
  server = await listen(app, 0, '127.0.0.1');
  stop = async () => {
    await server.stop();
    await running.stop();
  };
  reader = await collect(createKafka(config.kafka, { role: 'test-reader', level: 'nothing' }), [topics.raw]);
});

after(async () => {
  await reader?.stop();
  await stop?.();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

test('over HTTP: metrics.raw holds exactly the samples the --out file lists, duplicates included', async () => {
  const out = join(dir, 'http.ndjson');
  const sender = httpSender({ url: `http://127.0.0.1:${server.port}`, key: secret, batch: 37, concurrency: 3, format: 'ndjson' });
  const r = await runLoadgen({ fleet: fleetOpts(11), sender, outFile: out, maxSeconds: 120, showProgress: false });
  const file = countsInFile(out);
  assert.equal(file.lines, r.fleet.sent);
  assert.equal(r.send?.accepted, r.fleet.sent);
  assert.equal(r.send?.rejected, 0);
  assert.ok(r.fleet.duplicates > 0 && r.fleet.late > 0);
  const idPrefix = `lg11-`;
  await reader.until(() => reader.got.length >= r.fleet.sent, `${r.fleet.sent} records`, 30_000);
  assert.deepEqual(new Map([...(await countsOnTopic(idPrefix))].sort()), new Map([...file.counts].sort()));
});

test('straight to Kafka (Avro): the same holds', async () => {
  const out = join(dir, 'kafka.ndjson');
  const producer = createAckedProducer(kafka);
  const sender = kafkaSender({ producer, serde: await createSerde(config), topic: topics.raw, batch: 50 });
  const before = reader.got.length;
  const r = await runLoadgen({ fleet: fleetOpts(12), sender, outFile: out, maxSeconds: 120, showProgress: false });
  await producer.close();
  const file = countsInFile(out);
  await reader.until(() => reader.got.length >= before + r.fleet.sent, `${r.fleet.sent} more records`, 30_000);
  assert.deepEqual(new Map([...(await countsOnTopic('lg12-'))].sort()), new Map([...file.counts].sort()));
});
