// Property-based fuzzing of POST /v1/samples (issue 12.8), in-process on the real route with
// a recording publisher: requests mixing valid samples with damaged ones (a field replaced by
// any JSON value, bytes cut or inserted, garbage) in every body format. Whatever arrives, the
// route answers 202/400/413 (never 5xx, never a throw), every valid sample of the request is
// accepted and published, every sample is either accepted or rejected exactly once, and every
// rejection carries a reason naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { samplesRoute } from '../../../pipeline/ingest/route.js';
import type { IngestBatch } from '../../../pipeline/ingest/publisher.js';
import { apiKeyAuth, cachedKeyLookup, memoryKeyStore, issueKey } from '../../../api/auth/index.js';

const NOW = Date.UTC(2026, 9, 10, 12, 0, 0);

async function setup() {
  const store = memoryKeyStore();
  const agent = await issueKey(store, { role: 'agent' });
  const published: IngestBatch[] = [];
  const app = samplesRoute({
    publisher: { publish: async (b) => void published.push(b) },
    auth: apiKeyAuth({ lookup: cachedKeyLookup(store), allow: ['agent'], action: 'write samples' }),
    limits: { maxBodyBytes: 1 << 20, maxBatchSamples: 1000, maxSampleAgeMs: 35 * 86_400_000, maxClockSkewMs: 300_000 },
    now: () => NOW,
  });
  const post = (body: string, type: string) => app.request('/v1/samples', { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${agent.secret}` } });
  return { post, published };
}

/** A valid sample (SPEC §2), possibly with a 64-bit value, exponent or decimal string. */
const metricValue = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }).map(String),
  fc.constantFrom('"12.50"', '"1e-9"', '0.1', '-0', '9007199254740993'),
);
const name = fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/);
const validSample = (id: string) =>
  fc.record({
    server: fc.stringMatching(/^srv-[0-9]{1,4}$/),
    ts: fc.integer({ min: NOW - 35 * 86_400_000, max: NOW + 300_000 }),
    iso: fc.boolean(),
    interval: fc.option(fc.integer({ min: 1, max: 86_400 })),
    metrics: fc.uniqueArray(fc.tuple(name, metricValue), { minLength: 1, maxLength: 5, selector: ([k]) => k }),
    labels: fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 10 })), { maxLength: 3, selector: ([k]) => k }),
  }).map((r) => {
    const metrics = `{${r.metrics.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    const labels = `{${r.labels.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
    const ts = r.iso ? JSON.stringify(new Date(r.ts).toISOString()) : String(r.ts);
    return `{"id":${JSON.stringify(id)},"server_id":"${r.server}","ts":${ts}${r.interval === null ? '' : `,"interval_s":${r.interval}`},"metrics":${metrics},"labels":${labels}}`;
  });

/** A damaged sample: a field replaced by any JSON value, the text cut, a character inserted, or garbage. */
const damaged = (id: string) =>
  fc.oneof(
    fc.tuple(validSample(id), fc.constantFrom('server_id', 'ts', 'metrics', 'labels', 'interval_s'), fc.jsonValue({ maxDepth: 2 })).map(([s, field, v]) => {
      const o = JSON.parse(s) as Record<string, unknown>;
      o[field] = v;
      return JSON.stringify(o);
    }),
    fc.tuple(validSample(id), fc.nat(), fc.constantFrom('"', '\\', ':', '{', 'x', '\u0001', '1e', 'NaN')).map(([s, at, ch]) => {
      const i = 1 + (at % (s.length - 1));
      return s.slice(0, i) + ch + s.slice(i);
    }),
    fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n') && s.trim() !== ''),
  );

/**
 * Whether text stays one element inside a JSON array: its strings and brackets close and no
 * comma stands outside them. Damage that breaks this (an extra quote) makes where elements end
 * unknowable — such a body is refused whole, by design — so in arrays it is wrapped instead.
 */
function oneElement(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      if (--depth < 0) return false;
    } else if (ch === ',' && depth === 0) return false;
  }
  return depth === 0 && !inString;
}

/** Words a reason must contain one of: the field, or the kind of damage. */
const NAMES = /\b(id|server_id|ts|metrics|metric|interval_s|labels|JSON|UTF-8|sample|element)\b/;

test('fuzz: mixed good and damaged samples in every format — good ones never lost, every rejection named', async () => {
  const t = await setup();
  let n = 0;
  let rejectedSeen = 0;
  let acceptedSeen = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }).chain((kinds) =>
        fc.tuple(fc.constant(kinds), fc.tuple(...kinds.map((good) => (good ? validSample(`g-${++n}`) : damaged(`b-${++n}`)))), fc.constantFrom('json', 'ndjson')),
      ),
      async ([kinds, raw, format]) => {
        const texts = raw.map((s, i) => (format === 'json' && !kinds[i] && !oneElement(s) ? `{"damaged":${JSON.stringify(s)}}` : s));
        const body = format === 'ndjson' ? `${texts.join('\n')}\n` : `[${texts.join(',')}]`;
        const before = t.published.length;
        const res = await t.post(body, format === 'ndjson' ? 'application/x-ndjson' : 'application/json');
        assert.ok([202, 400].includes(res.status), `status ${res.status}`);
        const a = (await res.json()) as { accepted?: number; error?: string; rejected?: { index: number; reason: string }[] };
        const published = t.published.slice(before).flatMap((b) => b.samples.map((s) => s.id));
        const goodIds = texts.filter((_, i) => kinds[i]).map((s) => (JSON.parse(s) as { id: string }).id);
        if (res.status === 400 && (a.rejected ?? []).length === 0) {
          // the body as a whole was refused (a damaged element broke the array): nothing taken, reason given
          assert.equal(format, 'json');
          assert.match(a.error ?? '', /JSON|array|body/);
          assert.deepEqual(published, []);
          return;
        }
        for (const id of goodIds) assert.ok(published.includes(id), `good sample ${id} was published`);
        assert.equal((a.accepted ?? 0) + (a.rejected?.length ?? 0), texts.length, 'each sample accepted or rejected, once');
        acceptedSeen += a.accepted ?? 0;
        rejectedSeen += a.rejected?.length ?? 0;
        for (const r of a.rejected ?? []) {
          assert.equal(kinds[r.index], false, `a valid sample was rejected: ${r.reason}`);
          assert.match(r.reason, NAMES, `the reason names what is wrong: ${r.reason}`);
        }
      },
    ),
    { numRuns: 150 },
  );
  // the generator reaches both sides
  assert.ok(acceptedSeen > 150 && rejectedSeen > 150, `accepted ${acceptedSeen}, rejected ${rejectedSeen}`);
});

test('fuzz: arbitrary bytes as a body never make the route fail', async () => {
  const t = await setup();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('application/json', 'application/x-ndjson', 'application/cloudevents-batch+json', 'application/cloudevents+json'), async (bytes, type) => {
      const res = await t.post(Buffer.from(bytes).toString('latin1'), type);
      assert.ok([202, 400, 413].includes(res.status), `status ${res.status}`);
      const a = (await res.json()) as { error?: string; rejected?: { reason: string }[] };
      if (res.status !== 202) assert.ok((a.error ?? '').length > 0, 'a refusal says why');
      for (const r of a.rejected ?? []) assert.ok(r.reason.length > 0);
    }),
    { numRuns: 300 },
  );
});
