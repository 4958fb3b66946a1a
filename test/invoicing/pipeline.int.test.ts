// The distributed path against `meterline bill`: the same samples and catalogue must give the
// same invoices through ingest → aggregate → sink → rate → PostgreSQL as through bill (which
// shares the aggregation and rating code but no Kafka, no database). Then the rate role is
// SIGKILLed again and again while rollups flow, and the drafts must still equal bill's.
// Roles run as child processes (`node bin/meterline.js <role>`), each test on its own topic
// prefix and database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { issueKey, pgKeyStore } from '../../api/auth/index.js';
import { listInvoices } from '../../invoicing/db/invoices.js';
import { sampleToJson } from '../../pipeline/samples/parse.js';
import type { Sample } from '../../pipeline/samples/sample.js';
import { pipeline, produceSamples, closeWindows, until, type Pipeline } from '../e2e/harness.js';
import { Child, runToEnd } from '../e2e/processes.js';
import { PIPELINE_CATALOG, monthOfSamples, toNdjson } from './workload.js';

// PORT=0: each role child serves its health endpoints on a free port of its own.
const ENV = { KAFKA_PARTITIONS: '3', METERLINE_WINDOW: '1h', METERLINE_IDLE_TIMEOUT: '2s', PORT: '0' };

/**
 * A fresh pipeline whose usage.rollups and aggregate.state take record batches up to 8 MiB.
 * Working around the aggregate role: catching up on a month of input it sends rollup parts in
 * chunks of 2000 records, which can exceed the topic's default 1 MiB `max.message.bytes`
 * (reported to its owner); this test is about the rate role, not that limit.
 */
async function ratePipeline(label: string): Promise<Pipeline> {
  const p = await pipeline(label, PIPELINE_CATALOG, ENV);
  pipelines.push(p);
  const admin = p.kafka.admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [p.topics.rollups, p.topics.aggregateState].map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'max.message.bytes', value: String(8 * 1024 * 1024) }] })),
  });
  await admin.disconnect();
  return p;
}
const SAMPLES = monthOfSamples(30, 11);
const dir = mkdtempSync(join(tmpdir(), 'meterline-rate-'));
const children: Child[] = [];
const pipelines: Pipeline[] = [];
after(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  for (const p of pipelines) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/** bill's invoices for October, computed once from the same NDJSON. */
let billed: Promise<{ invoices: Json[]; unattributed: Json[] }> | undefined;
function billOctober(p: Pipeline): Promise<{ invoices: Json[]; unattributed: Json[] }> {
  billed ??= (async () => {
    const events = join(dir, 'samples.ndjson');
    writeFileSync(events, toNdjson(SAMPLES));
    const r = await runToEnd(['bill', '--catalog', p.catalogFile, '--events', events, '--period', '2026-10', '--format', 'json'], p.env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { invoices: Json[]; unattributed: Json[] };
  })();
  return billed;
}

/** The October invoices in the database in bill's form (no id, hash or timestamps). */
async function storedOctober(p: Pipeline): Promise<Json[]> {
  return (await listInvoices(p.db.pool, { period: '2026-10' })).map(({ id: _i, catalog_hash: _h, computed_at: _c, finalized_at: _f, ...rest }) => rest as Json);
}

const rate = (p: Pipeline) => {
  // A short session: a SIGKILLed member's partitions go to its successor in seconds, not 30.
  const c = new Child('rate', ['rate', '--catalog', p.catalogFile, '--session-timeout', '6s'], { ...p.env, METERLINE_LOG_LEVEL: 'debug' });
  children.push(c);
  return c;
};

async function expectOctoberEqualsBill(p: Pipeline, timeoutMs: number, tail: () => string): Promise<void> {
  const want = (await billOctober(p)).invoices;
  let got: Json[] = [];
  await until('the October drafts to equal bill', async () => {
    got = await storedOctober(p);
    return JSON.stringify(got) === JSON.stringify(want);
  }, timeoutMs, async () => `\nstored: ${JSON.stringify(got)}\nbill:   ${JSON.stringify(want)}\n${tail()}`);
  assert.deepEqual(got, want);
}

test('ingest → aggregate → sink → rate gives the invoices bill gives', { timeout: 240_000 }, async () => {
  const p = await ratePipeline('rvb');
  const bill = await billOctober(p);
  // The fixture really exercises what it claims (checked on bill's output, not the pipeline's).
  assert.deepEqual(bill.invoices.map((i) => i.customer), ['acme', 'beta']);
  // srv-2 outside its 38.5 h, srv-3 before Oct 5, srv-4 always: usage no subscription covers.
  assert.deepEqual(bill.unattributed.map((u) => u.server_id).filter((s, i, a) => a.indexOf(s) === i), ['srv-2', 'srv-3', 'srv-4']);
  const types = bill.invoices.flatMap((i) => (i.lines as Json[]).map((l) => l.type));
  for (const t of ['base_fee', 'usage', 'discount', 'tax']) assert.ok(types.includes(t), `bill's invoices have a ${t} line`);

  const { secret } = await issueKey(pgKeyStore(p.db.pool), { role: 'agent' });
  const ingest = new Child('ingest', ['ingest'], { ...p.env, METERLINE_MAX_SAMPLE_AGE: '400d' });
  children.push(ingest);
  const port = (JSON.parse(await ingest.waitFor(/"port":\d+.*listening/)) as { port: number }).port;
  for (let i = 0; i < SAMPLES.length; i += 2000) {
    const body = JSON.stringify(SAMPLES.slice(i, i + 2000).map(sampleToJson));
    const r = await fetch(`http://127.0.0.1:${port}/v1/samples`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` } });
    assert.equal(r.status, 202, await r.text());
  }
  // Event time far past October on every partition, straight to Kafka (ingest rejects the future).
  await closeWindows(p.kafka, p.topics.raw, 3, Date.parse('2026-11-10T00:00:00Z'));

  const rater = rate(p);
  const roles = [rater, new Child('aggregate', ['aggregate', '--catalog', p.catalogFile, '--commit-interval', '500ms', '--commit-records', '500'], p.env), new Child('sink', ['sink', '--catalog', p.catalogFile], p.env)];
  children.push(...roles.slice(1));
  await expectOctoberEqualsBill(p, 150_000, () => roles.map((r) => r.tail()).join('\n'));

  // The sink and the rate role stored the same parts, each from usage.rollups on its own.
  await until('the sink to store every part', async () => {
    const [a, b] = await Promise.all([p.db.pool.query('SELECT count(*)::int AS n FROM rollup_parts'), p.db.pool.query('SELECT count(*)::int AS n FROM rating_parts')]);
    return a.rows[0].n === b.rows[0].n && b.rows[0].n > 0;
  }, 30_000);
  for (const r of roles) r.child.kill('SIGTERM');
  for (const r of roles) assert.equal(await r.exited, 0, r.tail());
});

test('SIGKILL the rate role repeatedly while rollups flow: the drafts equal bill\'s; then finalization and late usage', { timeout: 300_000 }, async () => {
  const p = await ratePipeline('rcrash');
  await billOctober(p);
  const aggregate = new Child('aggregate', ['aggregate', '--catalog', p.catalogFile, '--commit-interval', '300ms', '--commit-records', '500'], p.env);
  children.push(aggregate);
  let rater = rate(p);

  // Six chunks of about five days each; after each chunk the windows up to its end are closed,
  // so rollups reach usage.rollups chunk by chunk while the rate role is being killed.
  const bounds = [0, 1, 2, 3, 4, 5, 6].map((k) => Date.parse('2026-09-30T22:00:00Z') + k * 5.4 * 86_400_000);
  const partsAtKill: number[] = [];
  for (let k = 0; k < 6; k++) {
    const last = k === 5;
    // By event time, in file order within the chunk. A swapped pair split across two chunks
    // arrives in the other order than in bill's file: for a counter that moves the increase to
    // the newer sample's window, never across a subscription boundary (none is near a bound).
    const chunk: Sample[] = SAMPLES.filter((s) => s.tsMs >= bounds[k]! && (last || s.tsMs < bounds[k + 1]!));
    await produceSamples(p.kafka, p.topics.raw, chunk);
    await closeWindows(p.kafka, p.topics.raw, 3, last ? Date.parse('2026-11-10T00:00:00Z') : bounds[k + 1]! + 10 * 60_000);
    // Kill right after a batch was rated: the next one may be half stored, half rated.
    await rater.waitFor(/rate batch done/, { fromNow: true, timeoutMs: 90_000 });
    await rater.kill('SIGKILL');
    partsAtKill.push((await p.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rating_parts')).rows[0]!.n);
    rater = rate(p);
  }
  await expectOctoberEqualsBill(p, 150_000, () => `${rater.tail()}\n${aggregate.tail()}`);
  const total = (await p.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rating_parts')).rows[0]!.n;
  assert.ok(partsAtKill.filter((n) => n < total).length >= 5, `kills happened while parts were still arriving (${partsAtKill.join(', ')} of ${total})`);

  // Finalize October with the CLI; then a sample of October arrives late, through the whole
  // pipeline (the aggregator turns it into a correction part).
  const fin = await runToEnd(['invoices', 'finalize', '--period', '2026-10', '--catalog', p.catalogFile], p.env);
  assert.equal(fin.code, 0, fin.stderr);
  assert.match(fin.stdout, /^acme\tfinalized\tinv-2026-10-/m);
  const rows = async () => (await p.db.pool.query("SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.period = '2026-10' ORDER BY i.customer, l.n")).rows;
  const before = await rows();
  const late: Sample = { id: 'late-oct', serverId: 'srv-1', tsMs: Date.parse('2026-10-15T12:00:17Z'), intervalS: '1800', metrics: { public_ips: '100' }, labels: {} };
  await produceSamples(p.kafka, p.topics.raw, [late]);
  // 100 IPs × 1800 s ÷ 3600 = 50 IP-hours × 0.004 = 0.20 more for October's ip_hours line: the
  // re-rated line is exactly 0.20 higher, so the adjustment is 0.20 on November's draft.
  const want = { type: 'adjustment', server_id: 'srv-1', meter: 'ip_hours', period_of_usage: '2026-10', amount: '0.20' };
  let nov: Json[] = [];
  await until('the late October usage to show as an adjustment on November', async () => {
    nov = ((await listInvoices(p.db.pool, { customer: 'acme', period: '2026-11' }))[0]?.lines ?? []) as Json[];
    return nov.some((l) => JSON.stringify(l) === JSON.stringify(want));
  }, 60_000, async () => `${JSON.stringify(nov)}\n${rater.tail()}\n${aggregate.tail()}`);
  assert.deepEqual(await rows(), before, 'the final October rows are unchanged');
  await assert.rejects(p.db.pool.query("UPDATE invoice_lines SET amount = 0 WHERE invoice_id LIKE 'inv-2026-10-%'"), /final invoice/);
  assert.equal((await storedOctober(p)).every((i) => i.status === 'final'), true);

  rater.child.kill('SIGTERM');
  aggregate.child.kill('SIGTERM');
  assert.equal(await rater.exited, 0, rater.tail());
});
