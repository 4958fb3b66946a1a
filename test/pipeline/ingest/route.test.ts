// POST /v1/samples in-process (hono app.request) with a fake publisher that records what it
// was given, or fails like a Kafka outage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { samplesRoute } from '../../../pipeline/ingest/route.js';
import type { IngestBatch, IngestPublisher } from '../../../pipeline/ingest/publisher.js';
import { apiKeyAuth, cachedKeyLookup, memoryKeyStore, issueKey } from '../../../api/auth/index.js';
import { MeterlineError } from '../../../lib/errors.js';

const NOW = Date.UTC(2026, 9, 10, 12, 0, 0);

async function setup(opts: { maxBodyBytes?: number; maxBatchSamples?: number } = {}) {
  const store = memoryKeyStore();
  const agent = await issueKey(store, { role: 'agent' });
  const published: IngestBatch[] = [];
  let fail: Error | undefined;
  const publisher: IngestPublisher = {
    async publish(batch) {
      if (fail) throw fail;
      published.push(batch);
    },
  };
  const app = samplesRoute({
    publisher,
    auth: apiKeyAuth({ lookup: cachedKeyLookup(store, { ttlMs: 0 }), allow: ['agent'], action: 'write samples' }),
    limits: { maxBodyBytes: opts.maxBodyBytes ?? 1 << 20, maxBatchSamples: opts.maxBatchSamples ?? 100, maxSampleAgeMs: 35 * 86_400_000, maxClockSkewMs: 300_000 },
    now: () => NOW,
  });
  const post = (body: string | Uint8Array, contentType = 'application/json', headers: Record<string, string> = {}) =>
    app.request('/v1/samples', { method: 'POST', body, headers: { 'content-type': contentType, authorization: `Bearer ${agent.secret}`, ...headers } });
  return { app, post, published, store, agent, setFail: (e: Error | undefined) => (fail = e) };
}

const sample = (id: string, server = 'srv-1') => ({ id, server_id: server, ts: '2026-10-10T11:59:00Z', interval_s: 60, metrics: { cpu_util_pct: 12.5 } });

test('all accepted: 202 with the count; samples and no dead letters published', async () => {
  const t = await setup();
  const res = await t.post(JSON.stringify([sample('a'), sample('b', 'srv-2')]));
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 2, rejected: [] });
  assert.equal(t.published.length, 1);
  assert.deepEqual(t.published[0]?.samples.map((s) => [s.id, s.serverId, s.metrics.cpu_util_pct]), [['a', 'srv-1', '12.5'], ['b', 'srv-2', '12.5']]);
  assert.equal(t.published[0]?.deadLetters.length, 0);
});

test('some rejected: 202, rejections listed by index, each rejected one a dead letter with its original bytes', async () => {
  const t = await setup();
  const bad = '{"id":"x","server_id":"srv-1","ts":"2026-10-10T11:59:00Z","metrics":{"m":"abc"}}';
  const res = await t.post(`[${JSON.stringify(sample('a'))},${bad}]`);
  assert.equal(res.status, 202);
  const body = (await res.json()) as { accepted: number; rejected: unknown[] };
  assert.deepEqual(body, { accepted: 1, rejected: [{ index: 1, id: 'x', code: 'invalid', reason: 'metrics.m must be a finite number (got "abc")' }] });
  const dl = t.published[0]?.deadLetters[0];
  assert.equal(dl?.original.toString(), bad);
  assert.equal(dl?.reason, 'metrics.m must be a finite number (got "abc")');
  assert.equal(dl?.index, 1);
  assert.equal(dl?.sampleId, 'x');
  assert.equal(dl?.serverId, 'srv-1');
  assert.equal(dl?.source, 'http');
  assert.equal(dl?.receivedAtMs, NOW);
  assert.equal(dl?.apiKeyId, t.agent.key.id);
});

test('none accepted: 400 with every rejection; body-level damage: 400 and the whole body dead-lettered', async () => {
  const t = await setup();
  const res = await t.post('[{"id":"a"}]');
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: 'sample 0 rejected: server_id is missing or not a non-empty string', accepted: 0,
    rejected: [{ index: 0, id: 'a', code: 'invalid', reason: 'server_id is missing or not a non-empty string' }],
  });
  const broken = '[{"id":"a","server_id":"s';
  const res2 = await t.post(broken);
  assert.equal(res2.status, 400);
  assert.deepEqual(await res2.json(), { error: 'malformed JSON: the body ends inside a string (byte 25)', accepted: 0, rejected: [] });
  assert.equal(t.published[1]?.deadLetters[0]?.original.toString(), broken);
  assert.equal(t.published[1]?.deadLetters[0]?.index, undefined);
});

test('413 over the byte limit (declared or streamed) and over the sample limit; 415 for unknown types and encodings', async () => {
  const t = await setup({ maxBodyBytes: 2000, maxBatchSamples: 3 });
  const big = JSON.stringify(Array.from({ length: 30 }, (_, i) => sample(`s${i}`)));
  assert.ok(big.length > 2000);
  const r1 = await t.post(big);
  assert.equal(r1.status, 413);
  assert.match(((await r1.json()) as { error: string }).error, /exceeds METERLINE_MAX_BODY_BYTES \(2000 bytes\)/);
  // A streamed body with no Content-Length is cut off as soon as it crosses the limit.
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode(' '.repeat(500)));
      ctl.close();
    },
  });
  const r2 = await t.app.request('/v1/samples', {
    method: 'POST', body: stream, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.agent.secret}` }, duplex: 'half',
  } as RequestInit);
  assert.equal(r2.status, 413);
  const r3 = await t.post(JSON.stringify([sample('a'), sample('b'), sample('c'), sample('d')]));
  assert.equal(r3.status, 413);
  assert.match(((await r3.json()) as { error: string }).error, /more than 3 samples/);
  const r4 = await t.post('a,b', 'text/csv');
  assert.equal(r4.status, 415);
  assert.match(((await r4.json()) as { error: string }).error, /"text\/csv" is not accepted; send one of application\/json/);
  const r5 = await t.post('x', 'application/json', { 'content-encoding': 'gzip' });
  assert.equal(r5.status, 415);
  assert.equal(t.published.length, 0);
});

test('Kafka unavailable: 503, nothing claimed, Retry-After; the next request after recovery is accepted', async () => {
  const t = await setup();
  t.setFail(new MeterlineError('unavailable', 'Kafka: no acknowledgement within 10000 ms'));
  const res = await t.post(JSON.stringify([sample('a')]));
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '5');
  const body = (await res.json()) as { accepted: number; error: string };
  assert.equal(body.accepted, 0);
  assert.match(body.error, /no acknowledgement.*nothing was accepted/);
  t.setFail(undefined);
  const again = await t.post(JSON.stringify([sample('a')]));
  assert.equal(again.status, 202);
});

test('NDJSON and CloudEvents bodies reach the publisher as the same samples', async () => {
  const t = await setup();
  const nd = await t.post(`${JSON.stringify(sample('n1'))}\n${JSON.stringify(sample('n2'))}\n`, 'application/x-ndjson');
  assert.equal(nd.status, 202);
  const ev = { specversion: '1.0', id: 'c1', source: 'agent', type: 'sample', subject: 'srv-5', time: '2026-10-10T11:59:00Z', data: { interval_s: 60, metrics: { cpu_util_pct: 12.5 } } };
  assert.equal((await t.post(JSON.stringify(ev), 'application/cloudevents+json')).status, 202);
  assert.equal((await t.post(JSON.stringify([ev]), 'application/cloudevents-batch+json')).status, 202);
  assert.deepEqual(t.published.flatMap((b) => b.samples.map((s) => `${s.id}@${s.serverId}`)), ['n1@srv-1', 'n2@srv-1', 'c1@srv-5', 'c1@srv-5']);
});

test('a declared Content-Length over the limit is refused before the body is read', async () => {
  const t = await setup({ maxBodyBytes: 2000 });
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      pulled++;
      ctl.enqueue(new Uint8Array(100));
      if (pulled > 50) ctl.close();
    },
  });
  const res = await t.app.request('/v1/samples', {
    method: 'POST', body: stream, duplex: 'half',
    headers: { 'content-type': 'application/json', 'content-length': '5000', authorization: `Bearer ${t.agent.secret}` },
  } as RequestInit);
  assert.equal(res.status, 413);
  assert.match(((await res.json()) as { error: string }).error, /Content-Length 5000\) exceeds METERLINE_MAX_BODY_BYTES \(2000 bytes\)/);
  assert.ok(pulled <= 1, `read ${pulled} chunks`); // a ReadableStream may pre-pull one chunk on creation
});
