// Billing events out with real role processes (SPEC §13): `meterline rate` runs the outbox relay
// and the webhook worker. A finalized invoice reaches billing.documents once and a loopback
// webhook receiver (verifying with the Standard Webhooks library, down at first) once, across a
// SIGKILL of the rate process mid-outage and its restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { loadConfig } from '../../config/env.js';
import { createSerde } from '../../avro/registry.js';
import { finalizePeriod } from '../../invoicing/finalize.js';
import { seedFromCatalog } from '../../invoicing/seed.js';
import { webhookKeyInForce } from '../../webhooks/key-in-force.js';
import { secretBox } from '../../webhooks/secret-box.js';
import { WebhookService } from '../../webhooks/service.js';
import { collect } from '../kafka/read-topic.js';
import { startReceiver } from '../webhooks/receiver.js';
import { e2ePipeline, until } from './harness.js';

const CATALOG = `
currency: USD
timezone: UTC
meters:
  requests: { metric: http_requests, kind: delta, unit: request }
plans:
  monthly:
    base_fee: { amount: "30.00", per: month }
customers:
  acme: {}
subscriptions:
  - { server_id: srv-1, customer: acme, plan: monthly, from: "2026-01-01T00:00:00Z" }
`;
// No METERLINE_WEBHOOK_KEY: a development deployment with only the variables SPEC §13 names. The
// rate process then opens secrets with the development key, as the api role seals them.
const p = e2ePipeline('events', CATALOG, { METERLINE_WEBHOOK_KEY: '', METERLINE_WEBHOOKS_ALLOW_PRIVATE: 'true', KAFKA_PARTITIONS: '1' });

test('a finalized invoice reaches billing.documents and a webhook once, across a rate-process SIGKILL', { timeout: 180_000 }, async () => {
  let secret = '';
  const receiver = await startReceiver(() => secret, (n) => n === 1); // down for its first request
  const reader = await collect(p.kafka, [p.topics.documents]);
  try {
    const service = new WebhookService({ pool: p.db.pool, box: secretBox(webhookKeyInForce(undefined, {})!.key), allowPrivate: true });
    const hook = await service.create(JSON.stringify({ url: receiver.url, events: ['invoice.finalized'] }));
    secret = hook.secret;

    // 2026-01 is long over; finalizing writes the invoice and its outbox row in one transaction.
    const ctx = { catalog: parseCatalog(CATALOG), now: Date.now };
    await seedFromCatalog(p.db.pool, ctx.catalog); // as the roles do at start
    const [result] = await finalizePeriod(p.db.pool, ctx, '2026-01');
    assert.equal(result?.result, 'finalized');

    let rate = p.start('rate');
    await receiver.until(() => receiver.requests() >= 1, 'the first (failing) delivery attempt', 90_000);
    await rate.kill('SIGKILL');
    rate = p.start('rate'); // the pending delivery and the outbox live in PostgreSQL
    await receiver.until(() => receiver.accepted.length >= 1, 'the delivered invoice.finalized', 90_000);
    await until('the document on billing.documents', async () => reader.got.length >= 1, 60_000, async () => rate.tail());

    assert.equal(receiver.badSignatures(), 0);
    assert.equal(receiver.accepted.length, 1);
    assert.equal(receiver.accepted[0]?.type, 'invoice.finalized');
    assert.equal(receiver.accepted[0]?.data.id, result?.invoice);
    assert.equal(receiver.accepted[0]?.data.total, '30.00');

    // Drain: once the relay marked the row sent, nothing more can come for it.
    await until('the outbox row marked sent', async () => (await p.db.pool.query('SELECT 1 FROM billing_events WHERE published_at IS NULL')).rowCount === 0, 30_000);
    assert.equal(reader.got.length, 1);
    const record = reader.got[0]!.message;
    assert.equal(record.key?.toString(), 'acme');
    const doc = (await (await createSerde(loadConfig(p.env))).decode('document', p.topics.documents, record.value!)) as Record<string, unknown>;
    assert.equal(doc.id, result?.invoice);
    assert.equal(doc.number, result?.number);
    assert.equal(doc.total, '30.00');
  } finally {
    await reader.stop();
    await receiver.close();
  }
});
