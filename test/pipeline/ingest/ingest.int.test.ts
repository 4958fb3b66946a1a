// POST /v1/samples against the stack's Kafka (and Schema Registry when configured): what is
// answered 202 is on metrics.raw, decodable and keyed by server; what is rejected is named in
// the answer and on metrics.dlq with its original bytes; Kafka unreachable → 503 and nothing
// claimed; Kafka reachable again → accepted again, same process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../../config/env.js';
import { createApp } from '../../../api/app.js';
import { createKafka } from '../../../kafka/client.js';
import { createRecordProducer } from '../../../kafka/record-producer.js';
import { topicNames } from '../../../kafka/topics.js';
import { createSerde } from '../../../avro/registry.js';
import { recordToSample, recordToDeadLetter } from '../../../avro/records.js';
import { memoryKeyStore, issueKey, cachedKeyLookup, apiKeyAuth } from '../../../api/auth/index.js';
import { startIngest } from '../../../pipeline/ingest/role.js';
import { samplesRoute } from '../../../pipeline/ingest/route.js';
import { kafkaPublisher } from '../../../pipeline/ingest/publisher.js';
import type { AvroSerde } from '../../../avro/serde.js';
import { faultSockets } from '../../kafka/fault-socket.js';
import { collect } from '../../kafka/read-topic.js';

const prefix = `t${randomBytes(4).toString('hex')}.ingest.`;
const config = loadConfig({ ...process.env, KAFKA_TOPIC_PREFIX: prefix, METERLINE_MAX_BODY_BYTES: '65536', METERLINE_MAX_BATCH_SAMPLES: '50' });
const topics = topicNames(prefix);
const log = pino({ level: 'silent' });
const faults = faultSockets();
const kafka = createKafka(config.kafka, { role: 'test-ingest', level: 'nothing', socketFactory: faults.factory });
const store = memoryKeyStore();
let secret = '';
const app = createApp();
let stopIngest: () => Promise<void>;
let reader: Awaited<ReturnType<typeof collect>>;
let serde: AvroSerde;

const post = (body: string | Buffer, contentType = 'application/json') =>
  app.request('/v1/samples', { method: 'POST', body, headers: { 'content-type': contentType, authorization: `Bearer ${secret}` } });

const ts = (offsetMs = -60_000) => new Date(Date.now() + offsetMs).toISOString();
const sample = (id: string, server: string, extra: Record<string, unknown> = {}) => ({
  id, server_id: server, ts: ts(), interval_s: 60, metrics: { cpu_util_pct: 12.5, net_tx_bytes: '18446744073709551615' }, ...extra,
});

async function rawSamples() {
  const out = [];
  for (const r of reader.got.filter((g) => g.topic === topics.raw)) {
    const s = recordToSample(await serde.decode('sample', topics.raw, r.message.value as Buffer));
    assert.ok(s.ok, 'every record on metrics.raw decodes to a valid sample');
    out.push({ ...s.sample, key: r.message.key?.toString(), partition: r.partition });
  }
  return out;
}
async function deadLetters() {
  const out = [];
  for (const r of reader.got.filter((g) => g.topic === topics.dlq)) out.push(recordToDeadLetter(await serde.decode('dlq', topics.dlq, r.message.value as Buffer)));
  return out;
}
/**
 * True once every id is on metrics.raw. An id is looked for as Avro writes the string, its
 * length (zigzag varint, one byte below 64 characters) right before its bytes: a bare substring
 * test took 'fmt-ceb-1' for 'fmt-ce' and let a check run before 'fmt-ce' had been read.
 */
const rawHas = (ids: string[]) => () => {
  const values = reader.got.filter((g) => g.topic === topics.raw).map((g) => g.message.value?.toString('latin1') ?? '');
  return ids.every((id) => {
    assert.ok(id.length < 64, 'ids in these tests are short (one-byte Avro length)');
    const written = String.fromCharCode(id.length * 2) + id;
    return values.some((v) => v.includes(written));
  });
};

before(async () => {
  secret = (await issueKey(store, { role: 'agent' })).secret;
  serde = await createSerde(config);
  // kafkajs here: the broker cut-off below is injected through its socket factory. The other
  // ingest instances of this file use the configured client (node-rdkafka by default).
  const running = await startIngest(config, log, app, { kafka, kafkaClient: 'kafkajs', lookup: cachedKeyLookup(store, { ttlMs: 0 }), ackTimeoutMs: 3000 });
  stopIngest = () => running.stop();
  reader = await collect(createKafka(config.kafka, { role: 'test-reader', level: 'nothing' }), [topics.raw, topics.dlq]);
});

after(async () => {
  await reader?.stop();
  await stopIngest?.();
  const admin = createKafka(config.kafka, { level: 'nothing' }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
});

test('every accepted format arrives on metrics.raw, decodable, exact, keyed by server_id', async () => {
  const ce = (id: string, server: string) => ({ specversion: '1.0', id, source: 'test', type: 'meterline.sample', subject: server, time: ts(), data: { interval_s: 60, metrics: { cpu_util_pct: '7.25' } } });
  const answers = await Promise.all([
    post(JSON.stringify([sample('fmt-array-1', 'srv-a'), sample('fmt-array-2', 'srv-b')])),
    post(JSON.stringify(sample('fmt-single', 'srv-a'))),
    post(`${JSON.stringify(sample('fmt-nd-1', 'srv-b'))}\n${JSON.stringify(sample('fmt-nd-2', 'srv-c'))}\n`, 'application/x-ndjson'),
    post(JSON.stringify(ce('fmt-ce', 'srv-a')), 'application/cloudevents+json'),
    post(JSON.stringify([ce('fmt-ceb-1', 'srv-c'), ce('fmt-ceb-2', 'srv-b')]), 'application/cloudevents-batch+json'),
  ]);
  assert.deepEqual(answers.map((r) => r.status), [202, 202, 202, 202, 202]);
  assert.deepEqual(await Promise.all(answers.map((r) => r.json())), [
    { accepted: 2, rejected: [] }, { accepted: 1, rejected: [] }, { accepted: 2, rejected: [] }, { accepted: 1, rejected: [] }, { accepted: 2, rejected: [] },
  ]);
  const ids = ['fmt-array-1', 'fmt-array-2', 'fmt-single', 'fmt-nd-1', 'fmt-nd-2', 'fmt-ce', 'fmt-ceb-1', 'fmt-ceb-2'];
  await reader.until(rawHas(ids), 'the eight samples on metrics.raw');
  const got = (await rawSamples()).filter((s) => s.id.startsWith('fmt-'));
  assert.deepEqual(got.map((s) => s.id).sort(), [...ids].sort());
  for (const s of got) assert.equal(s.key, s.serverId, `${s.id} keyed by its server`);
  // One server, one partition (what the counter semantics of SPEC §3 rely on).
  for (const server of ['srv-a', 'srv-b', 'srv-c']) assert.equal(new Set(got.filter((s) => s.serverId === server).map((s) => s.partition)).size, 1);
  const arr = got.find((s) => s.id === 'fmt-array-1');
  assert.deepEqual(arr?.metrics, { cpu_util_pct: '12.5', net_tx_bytes: '18446744073709551615' });
  assert.equal(arr?.intervalS, '60');
  assert.deepEqual(got.find((s) => s.id === 'fmt-ce')?.metrics, { cpu_util_pct: '7.25' });
});

test('bad samples: each named with its index, good ones of the batch accepted, rejected ones on metrics.dlq', async () => {
  const good1 = JSON.stringify(sample('bad-batch-good-1', 'srv-d'));
  const malformed = '{"id":"bad-malformed","server_id":"srv-d",}';
  const wrongType = JSON.stringify(sample('bad-type', 'srv-d', { metrics: { cpu_util_pct: [1] } }));
  const nanToken = `{"id":"bad-nan","server_id":"srv-d","ts":"${ts()}","metrics":{"m":NaN}}`;
  const infString = JSON.stringify(sample('bad-inf', 'srv-d', { metrics: { m: 'Infinity' } }));
  const noId = JSON.stringify({ ...sample('x', 'srv-d'), id: undefined });
  const old = JSON.stringify(sample('bad-old', 'srv-d', { ts: ts(-36 * 86_400_000) }));
  const future = JSON.stringify(sample('bad-future', 'srv-d', { ts: ts(6 * 60_000) }));
  const good2 = JSON.stringify(sample('bad-batch-good-2', 'srv-e'));
  const res = await post(`[${[good1, malformed, wrongType, nanToken, infString, noId, old, future, good2].join(',')}]`);
  assert.equal(res.status, 202);
  const body = (await res.json()) as { accepted: number; rejected: { index: number; id: string | null; code: string; reason: string }[] };
  assert.equal(body.accepted, 2);
  assert.deepEqual(body.rejected.map((r) => [r.index, r.id, r.code]), [
    [1, null, 'json'], [2, 'bad-type', 'invalid'], [3, null, 'json'], [4, 'bad-inf', 'invalid'], [5, null, 'invalid'], [6, 'bad-old', 'window'], [7, 'bad-future', 'window'],
  ]);
  const reasons = body.rejected.map((r) => r.reason);
  assert.match(reasons[0]!, /^malformed JSON/);
  assert.match(reasons[1]!, /metrics\.cpu_util_pct must be a finite number/);
  assert.match(reasons[2]!, /NaN is not a JSON number/);
  assert.match(reasons[3]!, /metrics\.m must be a finite number \(got "Infinity"\)/);
  assert.match(reasons[4]!, /^id is missing/);
  assert.match(reasons[5]!, /older than METERLINE_MAX_SAMPLE_AGE \(35d\)/);
  assert.match(reasons[6]!, /in the future by more than METERLINE_MAX_CLOCK_SKEW \(5m\)/);

  // Invalid UTF-8 in one NDJSON line; the other line is accepted.
  const badUtf8 = Buffer.concat([Buffer.from('{"id":"bad-utf8","server_id":"srv-'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from(`","ts":"${ts()}","metrics":{"m":1}}`)]);
  const res2 = await post(Buffer.concat([badUtf8, Buffer.from(`\n${JSON.stringify(sample('utf8-good', 'srv-d'))}\n`)]), 'application/x-ndjson');
  assert.equal(res2.status, 202);
  assert.deepEqual(await res2.json(), { accepted: 1, rejected: [{ index: 0, id: null, code: 'utf8', reason: 'invalid UTF-8 at byte 34 of the sample' }] });

  await reader.until(() => reader.got.filter((g) => g.topic === topics.dlq).length >= 8, 'eight dead letters');
  await reader.until(rawHas(['bad-batch-good-1', 'bad-batch-good-2', 'utf8-good']), 'the good samples');
  const dlq = await deadLetters();
  const byIndex = new Map(dlq.filter((d) => d.contentType === 'application/json').map((d) => [d.index, d]));
  assert.equal(byIndex.get(1)?.original.toString(), malformed);
  assert.equal(byIndex.get(3)?.original.toString(), nanToken);
  assert.equal(byIndex.get(6)?.original.toString(), old);
  assert.equal(byIndex.get(6)?.sampleId, 'bad-old');
  assert.equal(byIndex.get(6)?.serverId, 'srv-d');
  for (const r of body.rejected) assert.equal(byIndex.get(r.index)?.reason, r.reason);
  const utf = dlq.find((d) => d.contentType === 'application/x-ndjson');
  assert.deepEqual(utf?.original, badUtf8);
  assert.equal(utf?.reason, 'invalid UTF-8 at byte 34 of the sample');
  // Nothing rejected reached metrics.raw.
  const rawIds = (await rawSamples()).map((s) => s.id);
  for (const id of ['bad-type', 'bad-inf', 'bad-old', 'bad-future']) assert.ok(!rawIds.includes(id), `${id} not on metrics.raw`);
});

test('whole-request refusals: none accepted 400, oversize 413, too many samples 413, unknown type 415', async () => {
  const none = await post(JSON.stringify([{ id: 'only-bad', server_id: 's', ts: ts(), metrics: {} }]));
  assert.equal(none.status, 400);
  assert.deepEqual(await none.json(), { error: 'sample 0 rejected: metrics is empty', accepted: 0, rejected: [{ index: 0, id: 'only-bad', code: 'invalid', reason: 'metrics is empty' }] });
  const big = await post(JSON.stringify([sample('big', 's', { labels: { pad: 'x'.repeat(70_000) } })]));
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as { error: string }).error, /exceeds METERLINE_MAX_BODY_BYTES \(65536 bytes\)/);
  const many = await post(JSON.stringify(Array.from({ length: 51 }, (_, i) => sample(`many-${i}`, 's'))));
  assert.equal(many.status, 413);
  assert.match(((await many.json()) as { error: string }).error, /more than 50 samples/);
  const csv = await post('id,server_id\n1,2', 'text/csv');
  assert.equal(csv.status, 415);
  assert.match(((await csv.json()) as { error: string }).error, /Content-Type "text\/csv" is not accepted/);
});

for (const client of ['kafkajs', 'rdkafka'] as const) test(`no broker listening (${client}): 503, nothing claimed accepted`, async () => {
  // A port nothing listens on: bind one, note it, close it.
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const deadConfig = { ...config.kafka, brokers: [`127.0.0.1:${port}`] };
  const producer = createRecordProducer(deadConfig, { kafka: createKafka(deadConfig, { level: 'nothing' }), client, ackTimeoutMs: 2000 });
  const deadApp = samplesRoute({
    publisher: kafkaPublisher({ serde, producer, topics: { raw: topics.raw, dlq: topics.dlq } }),
    auth: apiKeyAuth({ lookup: cachedKeyLookup(store, { ttlMs: 0 }), allow: ['agent'] }),
    limits: config,
  });
  const res = await deadApp.request('/v1/samples', {
    method: 'POST', body: JSON.stringify([sample('dead-1', 'srv-x')]), headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
  });
  assert.equal(res.status, 503);
  const body = (await res.json()) as { accepted: number; error: string };
  assert.equal(body.accepted, 0);
  assert.match(body.error, /^Kafka: .*nothing was accepted, re-send the request$/);
  await producer.close();
});

test('broker cut off: 503 and nothing claimed; broker back: accepted again by the same process', async () => {
  faults.cut();
  try {
    const res = await post(JSON.stringify([sample('outage-1', 'srv-o')]));
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { accepted: number }).accepted, 0);
  } finally {
    faults.restore();
  }
  // An agent re-sends until accepted; bounded here. The first tries may still be refused while
  // the produce abandoned during the outage completes (kafkajs retries it once the broker is back).
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    const res = await post(JSON.stringify([sample('outage-1', 'srv-o'), sample('after-outage', 'srv-o')]));
    status = res.status;
    if (status === 202) break;
    assert.equal(status, 503);
    await new Promise((r) => setTimeout(r, 250)); // the client's back-off between retries
  }
  assert.equal(status, 202);
  await reader.until(rawHas(['outage-1', 'after-outage']), 'the re-sent samples');
});

test('a request larger than one Kafka record batch for one server is accepted whole', async () => {
  // ~3 MB of samples of one server: one partition, far over the broker's 1 MiB batch limit.
  const bigConfig = { ...config, maxBodyBytes: 8 << 20, maxBatchSamples: 20_000 };
  const bigApp = createApp();
  const running = await startIngest(bigConfig, log, bigApp, { kafka: createKafka(config.kafka, { level: 'nothing' }), lookup: cachedKeyLookup(store, { ttlMs: 0 }) });
  try {
    const n = 12_000;
    const body = Array.from({ length: n }, (_, i) => JSON.stringify(sample(`big-${i}`, 'srv-big', { labels: { note: 'x'.repeat(150) } }))).join('\n');
    assert.ok(body.length > 3_000_000);
    const res = await bigApp.request('/v1/samples', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: n, rejected: [] });
    await reader.until(() => reader.got.filter((g) => g.topic === topics.raw && g.message.key?.toString() === 'srv-big').length >= n, `${n} records of srv-big`, 60_000);
  } finally {
    await running.stop();
  }
});
