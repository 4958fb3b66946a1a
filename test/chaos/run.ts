// The crash suite (issue 12 item 7): every role as its own process on a stack of its own, a
// month of traffic through HTTP ingest, SIGKILLs of ingest, aggregate, sink and rate at random
// moments, clean restarts of Kafka, PostgreSQL and Redis, and optionally a Redis crash that
// loses its last unsynced second (aof.ts). Then the stored rollups and the API's invoices are
// compared, as canonical text, to the reference model and to `meterline bill` over the same
// sample file. Bounded in time; every process it started is stopped, on failure too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { rng } from '../e2e/workload.js';
import { closeWindows, groupAtEnd } from '../e2e/harness.js';
import { toNdjson } from '../invoicing/workload.js';
import { freePort } from '../stack/free-port.js';
import { ownStack, type OwnStack, type ServiceName } from './own-stack.js';
import { prepare, PARTITIONS } from './setup.js';
import { Roles, KILLABLE, type RoleName } from './roles.js';
import { Sender } from './sender.js';
import { Timeline } from './timeline.js';
import { chaosCatalog, chaosSamples } from './traffic.js';
import { apiInvoices, billInvoices, databaseRollups, invoiceDiff, referenceRollups, rollupDiff } from './compare.js';

export interface ChaosOptions {
  servers: number;
  stepMin: number;
  seed: number;
  killsPerRole: number;
  /** Clean restarts (stop, start) of these services. */
  restarts: ServiceName[];
  /**
   * A Redis crash, and the milliseconds of acknowledged writes it loses: 0 = a process crash
   * (SIGKILL; the kernel keeps what was written), > 0 = a machine crash; undefined = none.
   */
  redisCrashLossMs?: number;
  /** Longest random pause between two chaos events. */
  maxGapMs: number;
  /** The whole run, set-up to verdict. */
  timeoutMs: number;
  print: (line: string) => void;
  /** Ends the run early (Ctrl-C), cleaning up like a failure. */
  signal?: AbortSignal;
}

export interface ChaosResult {
  timeline: string[];
  samples: number;
  rollupLines: number;
  /** bill's invoices in brief (customer: lines, total): what the comparison covered. */
  invoices: string;
  invoiceDiff: string[];
  rollupDiff: string[];
  /** Roles that exited without being killed (with their last lines). */
  selfExits: string[];
  elapsedS: number;
}

type ChaosEvent = { kill: (typeof KILLABLE)[number] } | { restart: ServiceName } | { redisCrash: number };

const READY: Record<RoleName, RegExp> = {
  ingest: /listening/,
  api: /listening/,
  aggregate: /aggregate started/,
  sink: /sink started/,
  rate: /rate started/,
};

function schedule(o: ChaosOptions, rand: () => number): ChaosEvent[] {
  const events: ChaosEvent[] = [];
  for (const role of KILLABLE) for (let k = 0; k < o.killsPerRole; k++) events.push({ kill: role });
  for (const s of o.restarts) events.push({ restart: s });
  if (o.redisCrashLossMs !== undefined) events.push({ redisCrash: o.redisCrashLossMs });
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [events[i], events[j]] = [events[j] as ChaosEvent, events[i] as ChaosEvent];
  }
  return events;
}

/** Resolves when `check` holds, or with false at the deadline (the caller reports what differs). */
async function settle(check: () => Promise<boolean>, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const deadline = Date.now() + o.timeoutMs;
  const tl = new Timeline(o.print);
  const rand = rng(o.seed);
  const dir = mkdtempSync(join(os.tmpdir(), 'meterline-chaos-run-'));
  let stack: OwnStack | undefined;
  let starting: Promise<OwnStack> | undefined;
  let roles: Roles | undefined;
  let pool: pg.Pool | undefined;
  const timer = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`the chaos run exceeded ${o.timeoutMs / 1000} s`)), o.timeoutMs).unref();
    o.signal?.addEventListener('abort', () => reject(new Error('the chaos run was interrupted')));
  });
  const run = async (): Promise<ChaosResult> => {
    const samples = chaosSamples({ servers: o.servers, stepMin: o.stepMin, seed: o.seed });
    tl.note(`traffic: ${samples.length} samples of ${o.servers} servers every ${o.stepMin} min (seed ${o.seed})`);
    starting = ownStack();
    stack = await starting;
    tl.note(`own stack up on port base ${stack.settings.portBase}`);
    const p = await prepare(stack, dir, chaosCatalog(o.servers));
    const ports = { ingest: await freePort(), api: await freePort() };
    roles = new Roles({ env: p.env, catalogFile: p.catalogFile, ports });
    for (const r of ['ingest', 'api', 'aggregate', 'sink', 'rate'] as const) roles.start(r);
    await Promise.all((['ingest', 'api'] as const).map((r) => roles!.get(r).waitFor(READY[r], { timeoutMs: 120_000 })));
    tl.note('roles started: ingest, api, aggregate, sink, rate');

    const events = schedule(o, rand);
    // About 12 requests per event, 0–300 ms apart, each share allowed to start one event
    // early: requests are in flight most of the time, so kills land mid-request too.
    const batchSize = Math.max(20, Math.ceil(samples.length / (12 * (events.length + 1))));
    const batches = Math.ceil(samples.length / batchSize);
    let fired = 0;
    const wakers: (() => void)[] = [];
    const sender = new Sender({
      url: `http://127.0.0.1:${ports.ingest}`,
      key: p.keys.agent,
      batch: batchSize,
      batchTimeoutMs: 180_000,
      pauseMs: ((r) => () => Math.floor(r() * 300))(rng(o.seed + 1)),
      // Batch b waits for its share of the events: the traffic spans the whole schedule.
      gate: (b) =>
        new Promise<void>((resolve) => {
          const check = () => (fired + 1 >= Math.floor((b * events.length) / batches) ? resolve() : void wakers.push(check));
          check();
        }),
    });
    const sending = sender.sendAll(samples);
    const resent: typeof samples = [];
    for (const [k, e] of events.entries()) {
      // Event k waits for its share of the traffic (so events spread over it), then a random pause.
      const share = Math.min(batches, Math.floor((k * batches) / (events.length + 1)) + 1);
      while (sender.accepted.length < share) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300 + Math.floor(rand() * o.maxGapMs)));
      const at = `${sender.accepted.length} requests of ${batches} accepted`;
      if ('kill' in e) {
        const { killed, started } = await roles.killAndRestart(e.kill);
        tl.note(`SIGKILL ${e.kill} pid ${killed} (${at}); restarted as pid ${started}`);
        await roles.get(e.kill).waitFor(READY[e.kill], { timeoutMs: 120_000 });
      } else if ('restart' in e) {
        tl.note(`restart ${e.restart}: stopping (${at})`);
        await stack.restart(e.restart);
        tl.note(`restart ${e.restart}: up again`);
      } else {
        // A machine crash in a second without writes would lose nothing. Wait (≤ 30 s) for the
        // worst moment: Redis took claims in the lost second but has been quiet for the last
        // 40 % of it — the burst was claimed and its transaction (300 ms commits) had time to
        // commit, so the crash takes claims whose effects are already committed.
        const by = Date.now() + 30_000;
        const worst = () => stack!.redisWritingWithin(e.redisCrash) && !stack!.redisWritingWithin(e.redisCrash * 0.4);
        while (e.redisCrash > 0 && !worst() && Date.now() < by) await new Promise((r) => setTimeout(r, 20));
        const killedAt = Date.now();
        const lost = await stack.crashRedis(e.redisCrash);
        tl.note(
          e.redisCrash === 0
            ? `redis crash (${at}): SIGKILL (a process crash: the AOF keeps every write); up again`
            : `redis crash (${at}): SIGKILL and AOF cut back ${e.redisCrash} ms (a machine crash: ${lost} bytes of acknowledged writes lost); up again`,
        );
        // Agents whose requests timed out around the crash send their batches again (same ids):
        // the window is wider than the loss, since the aggregate claims ids a little after
        // ingest accepted them.
        const again = sender.acceptedBetween(killedAt - e.redisCrash - 4000, killedAt);
        resent.push(...again);
        if (again.length > 0) await sender.post(again);
        tl.note(`re-sent ${again.length} samples accepted in the ${(e.redisCrash + 4000) / 1000} s before the crash (duplicates: must count once)`);
      }
      fired++;
      for (const w of wakers.splice(0)) w();
    }
    await sending;
    tl.note(`traffic done: ${batches} batches, ${sender.retries} retried requests`);
    const eventsFile = join(dir, 'samples.ndjson');
    writeFileSync(eventsFile, toNdjson([...samples, ...resent]));
    // Event time far past October on every partition, so every window closes.
    await closeWindows(p.kafka, p.topics.raw, PARTITIONS, Date.parse('2026-11-10T00:00:00Z'));

    const want = { invoices: await billInvoices(p.env, p.catalogFile, eventsFile), rollups: referenceRollups([...samples, ...resent]) };
    tl.note('meterline bill and the reference model done; waiting for the pipeline to settle');
    pool = new pg.Pool({ connectionString: stack.env.DATABASE_URL, max: 2 });
    pool.on('error', () => undefined);
    const db = pool;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const settleBy = Math.min(deadline - 10_000, Date.now() + 300_000);
    await settle(() => groupAtEnd(p.kafka, p.aggregateGroup, p.topics.raw), settleBy);
    await settle(async () => (await databaseRollups(db)) === want.rollups, settleBy);
    await settle(async () => (await apiInvoices(apiUrl, p.keys.finance)) === want.invoices, settleBy);
    const got = { rollups: await databaseRollups(db), invoices: await apiInvoices(apiUrl, p.keys.finance) };
    tl.note('verdict taken');
    return {
      timeline: tl.lines,
      samples: samples.length,
      rollupLines: want.rollups.split('\n').length,
      invoices: (JSON.parse(want.invoices) as { customer: string; lines: unknown[]; total: string }[])
        .map((i) => `${i.customer}: ${i.lines.length} lines, total ${i.total}`)
        .join('; '),
      invoiceDiff: invoiceDiff(want.invoices, got.invoices),
      rollupDiff: rollupDiff(want.rollups, got.rollups),
      selfExits: roles.exitedOnTheirOwn(),
      elapsedS: tl.elapsedS(),
    };
  };
  try {
    return await Promise.race([run(), timer]);
  } catch (err) {
    if (roles) o.print(`last lines of the roles:\n${roles.tails()}`);
    throw err;
  } finally {
    await roles?.stopAll();
    await pool?.end().catch(() => undefined);
    // A stack still coming up when the time ran out is closed once it is up.
    await (stack ?? (await starting?.catch(() => undefined)))?.close();
    rmSync(dir, { recursive: true, force: true });
    tl.note('every process the run started is stopped; its stack deleted');
  }
}
