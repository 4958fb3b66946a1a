// Webhooks end to end on a fresh database: created through the API, fed by finalization and
// credit notes through the outbox, delivered by the worker to a real loopback receiver that
// verifies signatures with the Standard Webhooks library and is down (500) for its first
// requests; a worker restart in between loses nothing; each customer's events arrive in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { cachedKeyLookup, issueKey, memoryKeyStore } from '../../api/auth/index.js';
import { webhooksRoute } from '../../api/routes/webhooks.js';
import { createLogger } from '../../observability/log.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { syncAll } from '../../invoicing/drafts.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { createCreditNote } from '../../invoicing/credit-notes.js';
import type { InvoicingContext } from '../../invoicing/context.js';
import { secretBox } from '../../webhooks/secret-box.js';
import { startWebhookWorker } from '../../webhooks/worker.js';
import { freshDb, type FreshDb } from '../sinks/fresh-db.js';
import { catalog } from '../invoicing/fixtures.js';
import { startReceiver } from './receiver.js';

const box = secretBox(randomBytes(32));
const log = createLogger('error', 'webhooks-test');
const ctx: InvoicingContext = { catalog: catalog(), now: () => Date.parse('2026-11-02T00:00:00Z') };
let db: FreshDb;
let keys: { finance: string; acme: string };
let strict: Hono; // production rules: https to public addresses only
let dev: Hono; // METERLINE_WEBHOOKS_ALLOW_PRIVATE=true

before(async () => {
  db = await freshDb('webhooks_delivery');
  await seedFromCatalog(db.pool, ctx.catalog);
  await syncAll(db.pool, ctx);
  const store = memoryKeyStore();
  keys = { finance: (await issueKey(store, { role: 'finance' })).secret, acme: (await issueKey(store, { role: 'customer', customer: 'acme' })).secret };
  const lookup = cachedKeyLookup(store, { ttlMs: 0 });
  strict = new Hono().route('/', webhooksRoute({ pool: db.pool, lookup, box, allowPrivate: false }) as unknown as Hono);
  dev = new Hono().route('/', webhooksRoute({ pool: db.pool, lookup, box, allowPrivate: true }) as unknown as Hono);
});
after(async () => db?.drop());

async function call(app: Hono, method: string, path: string, o: { key?: string; body?: string; type?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${o.key ?? keys.finance}` };
  if (o.body !== undefined) headers['content-type'] = o.type ?? 'application/json';
  const r = await app.request(path, { method, headers, ...(o.body !== undefined ? { body: o.body } : {}) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const count = async () => ((await call(dev, 'GET', '/v1/webhooks')).body.webhooks as unknown[]).length;

test('bad webhook requests get a clear 4xx naming the problem, and nothing is stored', async () => {
  const cases: [Hono, string | undefined, string, number, RegExp][] = [
    [strict, undefined, JSON.stringify({ url: 'http://hooks.example.com/x', events: ['invoice.finalized'] }), 422, /url: must be https/],
    [strict, undefined, JSON.stringify({ url: 'https://127.0.0.1/x', events: ['invoice.finalized'] }), 422, /url: host 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback or private/],
    [strict, undefined, JSON.stringify({ url: 'https://[::1]/x', events: ['invoice.finalized'] }), 422, /url: .*loopback or private/],
    [strict, undefined, JSON.stringify({ url: 'https://10.1.2.3/x', events: ['invoice.finalized'] }), 422, /url: .*private/],
    [dev, undefined, JSON.stringify({ url: 'http://127.0.0.1/x', events: ['invoice.finalized', 'invoice.paid'] }), 422, /events\[1\]: unknown event "invoice\.paid"/],
    [dev, undefined, JSON.stringify({ url: 'http://127.0.0.1/x', events: [] }), 422, /events: required/],
    [dev, undefined, JSON.stringify({ url: 'http://127.0.0.1/x', events: ['usage.alert'], secret: 'mine' }), 422, /secret: unknown field/],
    [dev, undefined, '{"url": "http://127.0.0.1/x", "events": [', 400, /not valid JSON/],
    [dev, undefined, JSON.stringify({ url: `http://127.0.0.1/${'x'.repeat(20_000)}`, events: ['usage.alert'] }), 413, /larger than 16384 bytes/],
    [dev, keys.acme, JSON.stringify({ url: 'http://127.0.0.1/x', events: ['usage.alert'] }), 403, /./],
  ];
  for (const [app, key, body, status, message] of cases) {
    const r = await call(app, 'POST', '/v1/webhooks', { ...(key ? { key } : {}), body });
    assert.equal(r.status, status, `${body.slice(0, 80)} → ${JSON.stringify(r.body)}`);
    if (status !== 403) assert.match(String(r.body.error), message);
  }
  assert.equal(await count(), 0);
  assert.equal((await call(dev, 'DELETE', '/v1/webhooks/wh_nobody')).status, 404);
  assert.equal((await call(dev, 'GET', '/v1/webhooks/wh_nobody/deliveries')).status, 404);
  assert.equal((await call(dev, 'GET', '/v1/webhooks', { key: keys.acme })).status, 403);
});

test('deliveries are signed, retried through a receiver outage and a worker restart, in order per customer', { timeout: 90_000 }, async () => {
  let secret = '';
  const receiver = await startReceiver(() => secret, (n) => n <= 4); // down for its first 4 requests
  try {
    const created = await call(dev, 'POST', '/v1/webhooks', { body: JSON.stringify({ url: receiver.url, events: ['invoice.finalized', 'credit_note.created'] }) });
    assert.equal(created.status, 201);
    secret = String(created.body.secret);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = (await call(dev, 'GET', '/v1/webhooks')).body.webhooks as Record<string, unknown>[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.secret, undefined, 'the secret is shown once, never listed');
    const stored = await db.pool.query<{ secret_enc: Buffer }>('SELECT secret_enc FROM webhooks');
    assert.ok(!stored.rows[0]?.secret_enc.toString('latin1').includes(secret.slice(6, 20)), 'not stored in clear');

    // Events: acme's and beta's October invoices, then two credit notes on acme's.
    const results = await finalizePeriod(db.pool, ctx, '2026-10');
    const acmeInvoice = results.find((r) => r.customer === 'acme')?.invoice ?? '';
    await createCreditNote(db.pool, ctx, acmeInvoice, JSON.stringify({ reason: 'goodwill', lines: [{ n: 1, amount: '1.00' }] }));
    await createCreditNote(db.pool, ctx, acmeInvoice, JSON.stringify({ reason: 'more goodwill', lines: [{ n: 1, amount: '2.00' }] }));
    const events = (await db.pool.query<{ id: string; customer: string }>('SELECT id, customer FROM billing_events ORDER BY seq')).rows;
    assert.equal(events.length, 4);

    const fast = [30, 60, 90, 120, 150, 180, 210];
    let worker = startWebhookWorker({ pool: db.pool, box, allowPrivate: true, log, pollMs: 20, backoffMs: fast, concurrency: 3 });
    await receiver.until(() => receiver.requests() >= 3, 'three failed attempts');
    await worker.stop(); // a restart mid-outage: the pending deliveries are in the database
    worker = startWebhookWorker({ pool: db.pool, box, allowPrivate: true, log, pollMs: 20, backoffMs: fast, concurrency: 3 });
    try {
      await receiver.until(() => receiver.accepted.length >= 4, 'all four events');
    } finally {
      await worker.stop();
    }
    assert.equal(receiver.badSignatures(), 0, 'every request verified by the Standard Webhooks library');
    assert.deepEqual(receiver.accepted.map((a) => a.id).sort(), events.map((e) => e.id).sort(), 'each event once');
    for (const customer of ['acme', 'beta']) {
      const want = events.filter((e) => e.customer === customer).map((e) => e.id);
      const got = receiver.accepted.filter((a) => a.customer === customer).map((a) => a.id);
      assert.deepEqual(got, want, `${customer}'s events in order`);
    }
    assert.equal(receiver.accepted[0]?.type === 'invoice.finalized' || receiver.accepted[0]?.type === 'credit_note.created', true);

    const deliveries = (await call(dev, 'GET', `/v1/webhooks/${String(created.body.id)}/deliveries`)).body.deliveries as Record<string, unknown>[];
    assert.equal(deliveries.length, 4);
    assert.ok(deliveries.every((d) => d.status === 'delivered' && d.last_response_code === 200));
    // Every request the receiver saw is one recorded attempt: 4 answered 500, 4 answered 200.
    assert.equal(deliveries.reduce((n, d) => n + Number(d.attempts), 0), receiver.requests());
    assert.equal(receiver.requests(), 8);
  } finally {
    await receiver.close();
  }
});

test('a delivery that never succeeds is marked failed after the last retry; deleting a webhook cancels what is pending', { timeout: 60_000 }, async () => {
  const receiver = await startReceiver(() => secretOf, () => true);
  let secretOf = '';
  try {
    const created = await call(dev, 'POST', '/v1/webhooks', { body: JSON.stringify({ url: receiver.url, events: ['credit_note.created'] }) });
    secretOf = String(created.body.secret);
    const [inv] = (await db.pool.query<{ id: string }>("SELECT id FROM invoices WHERE customer = 'beta' AND status = 'final'")).rows;
    await createCreditNote(db.pool, ctx, inv?.id ?? '', JSON.stringify({ reason: 'x', full: true }));
    const worker = startWebhookWorker({ pool: db.pool, box, allowPrivate: true, log, pollMs: 20, backoffMs: [20, 20] });
    const id = String(created.body.id);
    const status = async () => ((await call(dev, 'GET', `/v1/webhooks/${id}/deliveries`)).body.deliveries as Record<string, unknown>[])[0];
    try {
      await receiver.until(() => receiver.requests() >= 3, 'three attempts');
      // 1 attempt + 2 retries = the whole schedule: failed, with the last answer kept.
      for (let i = 0; i < 100 && (await status())?.status !== 'failed'; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.stop();
    }
    const d = await status();
    assert.equal(d?.status, 'failed');
    assert.equal(d?.attempts, 3);
    assert.equal(d?.last_response_code, 500);
    assert.equal(receiver.requests(), 3);
    assert.equal((await call(dev, 'DELETE', `/v1/webhooks/${id}`)).status, 204);
    assert.equal((await call(dev, 'GET', `/v1/webhooks/${id}/deliveries`)).status, 404);
    assert.equal((await call(dev, 'DELETE', `/v1/webhooks/${id}`)).status, 404);
  } finally {
    await receiver.close();
  }
});
