// The bad-input corpus (issue 12.8) against the whole HTTP API in-process (test/api/access-app.ts:
// production wiring, a fresh database, real hashed keys; Kafka replaced by a recording publisher).
// Every bad sample is sent three ways — beside a good sample in a JSON array (CloudEvents batch
// for events), before a good one in NDJSON, and alone — and the answer must be the status the
// spec gives, a rejection naming what is wrong, and the good sample accepted and published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accessApp, type AccessApp } from '../access-app.js';
import { BAD_SAMPLES, NOW_ISO, type BadSample } from './sample-cases.js';
import { BAD_REQUESTS, type BadRequest } from './request-cases.js';

let t: AccessApp;
before(async () => {
  t = await accessApp('badinput', NOW_ISO);
});
after(async () => {
  await t?.db.drop();
});

interface SamplesAnswer {
  accepted: number;
  error?: string;
  rejected: { index: number; code: string; reason: string }[];
}

let seq = 0;
const good = (cloudevent: boolean): { id: string; text: string } => {
  const id = `good-${++seq}`;
  return {
    id,
    text: cloudevent
      ? `{"specversion":"1.0","id":"${id}","source":"a","type":"t","subject":"srv-1","time":"2026-10-10T11:59:00Z","data":{"metrics":{"http_requests":1}}}`
      : `{"id":"${id}","server_id":"srv-1","ts":"2026-10-10T11:59:00Z","metrics":{"http_requests":1}}`,
  };
};

const publishedIds = (): Set<string> => new Set(t.published.flatMap((b) => b.samples.map((s) => s.id)));

/** A rejection names what is wrong, and the good sample beside it is accepted and published. */
async function mixed(c: BadSample, form: 'array' | 'ndjson'): Promise<void> {
  const g = good(c.cloudevent === true);
  const body = form === 'array' ? `[${g.text}, ${c.text}]` : `${c.text}\n${g.text}\n`;
  const type = form === 'ndjson' ? 'application/x-ndjson' : c.cloudevent ? 'application/cloudevents-batch+json' : 'application/json';
  const r = await t.call('POST', '/v1/samples', { key: t.keys.agent, body, type });
  assert.equal(r.status, 202, r.text);
  const a = r.json as SamplesAnswer;
  assert.equal(a.accepted, 1, r.text);
  assert.equal(a.rejected.length, 1, r.text);
  const rej = a.rejected[0]!;
  assert.equal(rej.index, form === 'array' ? 1 : 0);
  assert.equal(rej.code, c.code, r.text);
  assert.match(rej.reason, c.reason);
  assert.ok(publishedIds().has(g.id), 'the good sample was published');
}

async function alone(c: BadSample): Promise<void> {
  const before = t.published.flatMap((b) => b.samples).length;
  const r = await t.call('POST', '/v1/samples', { key: t.keys.agent, body: `[${c.text}]`, type: c.cloudevent ? 'application/cloudevents-batch+json' : 'application/json' });
  assert.equal(r.status, 400, r.text);
  const a = r.json as SamplesAnswer;
  assert.equal(a.accepted, 0);
  assert.match(a.error ?? '', c.reason);
  assert.equal(a.rejected[0]?.code, c.code);
  assert.equal(t.published.flatMap((b) => b.samples).length, before, 'nothing published');
}

/** Unbalanced text cannot sit inside an array: where it ends is unknowable (the whole body is refused). */
const balanced = (text: string): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return depth === 0 && !inString;
};

let rows = 0;

test('bad samples: beside a good one in an array — 202, the good one accepted, the bad one named', async (tt) => {
  for (const c of BAD_SAMPLES.filter((x) => balanced(x.text))) {
    rows++;
    await tt.test(c.name, () => mixed(c, 'array'));
  }
});

test('bad samples: before a good one in NDJSON — 202, the good one accepted, the bad one named', async (tt) => {
  for (const c of BAD_SAMPLES.filter((x) => !x.cloudevent)) {
    rows++;
    await tt.test(c.name, () => mixed(c, 'ndjson'));
  }
});

test('bad samples alone — 400 naming the problem, nothing published', async (tt) => {
  for (const c of BAD_SAMPLES.filter((x) => balanced(x.text))) {
    rows++;
    await tt.test(c.name, () => alone(c));
  }
});

/** Every string in an answer (error, problems' paths and messages, rejection reasons), unescaped. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(strings);
  return [];
}

async function send(c: BadRequest) {
  const key = c.key === undefined ? undefined : typeof c.key === 'string' ? t.keys[c.key] : undefined;
  const headers = { ...c.headers, ...(typeof c.key === 'object' ? { authorization: c.key.raw } : {}) };
  return t.call(c.method, c.path, { ...(key ? { key } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(c.type ? { type: c.type } : {}), headers });
}

test('bad bodies, headers, keys, query parameters, provisioning bodies, Nagios lines — status and reason', async (tt) => {
  const subsBefore = (await t.call('GET', '/v1/subscriptions', { key: t.keys.finance })).text;
  for (const c of BAD_REQUESTS) {
    rows++;
    await tt.test(c.name, async () => {
      const r = await send(c);
      assert.equal(r.status, c.status, r.text.slice(0, 500));
      assert.match(strings(r.json ?? r.text).join('\n'), c.reason);
    });
  }
  // nothing the refused provisioning requests asked for happened
  assert.equal((await t.call('GET', '/v1/subscriptions', { key: t.keys.finance })).text, subsBefore);
});

test('the corpus has at least 200 rows', () => {
  assert.ok(rows >= 200, `${rows} rows`);
});
