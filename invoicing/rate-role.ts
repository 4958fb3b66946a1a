// The rate role: usage.rollups → drafts in PostgreSQL, effectively once. Consumer group
// `meterline-rate`, read_committed (only parts of committed aggregate transactions), no
// auto-commit. Per fetched batch: decode; store the parts in rating_parts (ON CONFLICT
// DO NOTHING) and commit; find the (customer, period) pairs the batch's parts touch, by the
// subscriptions in the database; recompute each of those drafts from *all* stored parts
// (recompute, never increment) and commit; only then commit the Kafka offsets. A crash anywhere
// replays the batch: storing changes nothing, recomputing gives the same drafts.
//
// Incremental (issue 11 item 6): storing a part also merges it into the running usage state
// (db/usage-states.ts, same statement, so a replay merges nothing), and drafts are rated from
// those rows — one per (server, meter) and month — instead of a month of parts. Only the drafts
// a batch touches are recomputed; drafts that time alone brings (a new period, a subscription
// starting) or Nagios host states stored without the catalogue are recomputed when due
// (draft-clock.ts), never by re-syncing every draft.
//
// A customer whose draft cannot be rated for good (its plan is gone from the catalogue) does
// not hold the partition: its parts of the batch are dead-lettered with the reason (they stay
// stored in rating_parts, so its drafts are right again once the catalogue is fixed and the
// role restarts), counted, and shown on /readyz. A dependency that is away (PostgreSQL,
// Kafka) is waited for inside the batch with heartbeats, never a reason to exit. The consumer,
// its loop and the Kafka commit are the shared runner's (kafka/consumer/runner.ts).
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AvroSerde } from '../avro/serde.js';
import { decodeRollupBatch, rollupDeadLetter, type RollupAt } from '../avro/rollup-batch.js';
import { isKind } from '../lib/errors.js';
import { roleHealth, type RoleHealth } from '../roles/health.js';
import { retryTransient } from '../roles/retry.js';
import { runConsumer, type BatchHandler, type FetchedBatch } from '../kafka/consumer/runner.js';
import { isTransient } from '../roles/transient.js';
import type { InvoicingContext } from './context.js';
import { insertParts } from './db/parts.js';
import { withTransaction } from './db/tx.js';
import { PartCache } from './part-cache.js';
import { affectedByParts, recomputeCustomer, syncAll } from './drafts.js';
import { ensureStates } from './db/usage-states.js';
import { nextDueMs, recomputeDue, sleepFor, startMarks } from './draft-clock.js';
import { unratableCustomers } from './unratable.js';

import { RATE_GROUP } from '../kafka/groups.js';
export { RATE_GROUP };

export interface RateOptions {
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  topics: { rollups: string; dlq: string };
  ctx: InvoicingContext;
  log: Logger;
  metrics?: Metrics;
  /** The role's readiness conditions (default: a private one, tests). */
  health?: RoleHealth;
  groupId?: string;
  /**
   * Rate drafts from the running usage state (default true). false = the earlier way, every
   * part of the month read again per recompute (merged per day in memory): `bench rate-role
   * --mode full` compares the two.
   */
  incremental?: boolean;
  /** A member that died without leaving holds its partitions this long (kafkajs default 30 s). */
  sessionTimeoutMs?: number;
  /** Called after each batch is stored, rated and its offsets committed (tests wait on it). */
  onBatch?: (info: RateBatchInfo) => void;
}

export interface RateBatchInfo {
  partition: number;
  nextOffset: string;
  parts: number;
  newParts: number;
  customers: number;
  poison: number;
  /** Milliseconds of each PostgreSQL transaction of the batch: the store, then each customer's drafts. */
  transactionMs: number[];
}

export interface RateRole {
  stop(): Promise<void>;
}

export async function startRate(opts: RateOptions): Promise<RateRole> {
  const { kafka, pool, serde, topics, log } = opts;
  // The rate role recomputes the same busy drafts batch after batch: the running usage state
  // (or, not incremental, merged day states in memory) saves it reading a month of parts each
  // time (exact either way; see usage-states.ts, part-cache.ts).
  const incremental = opts.incremental ?? true;
  const ctx: InvoicingContext = incremental ? { ...opts.ctx, usageStates: true } : { ...opts.ctx, partCache: opts.ctx.partCache ?? new PartCache() };
  const groupId = opts.groupId ?? RATE_GROUP;
  const health = opts.health ?? roleHealth('rate');
  const unratable = unratableCustomers(health, opts.metrics);
  const stopping = new AbortController();

  /** A customer's drafts failed for good: a config error is shown on /readyz; anything else is logged. */
  const customerFailed = (customer: string, err: unknown): string => {
    if (isTransient(err)) throw err;
    const reason = (err as Error).message;
    if (isKind(err, 'config')) unratable.failed(customer, reason);
    log.error({ customer, reason }, 'rate: drafts of this customer cannot be rated; other customers go on');
    return reason;
  };
  const sync = () => syncAll(pool, ctx, customerFailed, (c) => unratable.rated(c));

  if (incremental) {
    // Built once per zone from every stored part (minutes for a big table), then kept by inserts.
    const states = await retryTransient('rate: usage state', () => withTransaction(pool, (c) => ensureStates(c, ctx.catalog.timezone)), {
      log,
      onRetry: (err) => health.set('sync', (err as Error).message),
    });
    log.info({ zone: ctx.catalog.timezone, states }, 'rate: running usage state ready');
  }
  // Drafts for every customer with a subscription in an open period, before consuming.
  let marks = await retryTransient('rate: draft clock', () => startMarks(pool, ctx), { log });
  const synced = await retryTransient('rate: draft sync', sync, { log, onRetry: (err) => health.set('sync', (err as Error).message) });
  health.set('sync', undefined);
  log.info({ drafts: synced }, 'rate: drafts synced');

  /** Stores and rates one batch; returns the parts that could not be rated, with the reason. */
  async function rateBatch(parts: RollupAt[], newParts: { n: number }, heartbeat: () => Promise<void>, signal: AbortSignal) {
    const stored = performance.now();
    const inserted = await withTransaction(pool, (client) => insertParts(client, parts));
    const storeMs = performance.now() - stored;
    newParts.n = inserted.size;
    // Every part of the batch, not only the new ones: after a crash between storing and rating,
    // the replay finds nothing new to store but must still rate.
    const affected = await affectedByParts(pool, ctx, parts.map((p) => ({ ...p.part, at: p.at })));
    const poison: { at: RollupAt['at']; reason: string }[] = [];
    const transactionMs: number[] = [storeMs];
    for (const customer of [...affected.keys()].sort()) {
      // Shutting down: leave the rest to the replay (offsets are not committed).
      if (signal.aborted) throw signal.reason as Error;
      const entry = affected.get(customer);
      if (!entry) continue;
      const t0 = process.hrtime.bigint();
      try {
        await recomputeCustomer(pool, ctx, customer, entry.labels);
        unratable.rated(customer);
      } catch (err) {
        const reason = customerFailed(customer, err);
        for (const p of entry.parts) poison.push({ at: p.at, reason: `rate: customer ${customer}: ${reason}` });
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      opts.metrics?.draftRecomputeSeconds.observe(seconds);
      transactionMs.push(seconds * 1000);
      await heartbeat();
    }
    return { poison, customers: affected.size, transactionMs };
  }

  /** One batch: decode, store and rate, dead-letter what cannot be; the runner then commits. */
  const handler: BatchHandler<Omit<RateBatchInfo, 'partition' | 'nextOffset'>> = {
    async handleBatch(batch: FetchedBatch, tools) {
      // A Schema Registry, database or broker that is away is waited for inside the batch.
      const { parts, dead } = await tools.waitOut('rate: decoding a batch', 'decode', () => decodeRollupBatch(batch, serde, topics.dlq, 'rate', log));
      const newParts = { n: 0 };
      const rated = await tools.waitOut('rate: rating a batch', 'store', () => rateBatch(parts, newParts, tools.heartbeat, tools.signal));
      const values = new Map(batch.messages.map((m) => [m.offset, m.value]));
      for (const p of rated.poison) dead.push(await rollupDeadLetter(serde, topics.dlq, values.get(p.at.offset) ?? null, p.at, p.reason));
      if (dead.length > 0) {
        await tools.produce(topics.dlq, dead);
        opts.metrics?.dlqRecords.inc({ role: 'rate' }, dead.length);
        const undecodable = dead.length - rated.poison.length;
        if (undecodable > 0) opts.metrics?.poisonRecords.inc({ role: 'rate', reason: 'undecodable' }, undecodable);
        if (rated.poison.length > 0) opts.metrics?.poisonRecords.inc({ role: 'rate', reason: 'unratable' }, rated.poison.length);
      }
      return { parts: parts.length, newParts: newParts.n, customers: rated.customers, poison: rated.poison.length, transactionMs: rated.transactionMs };
    },
    committed(batch, nextOffset, result) {
      const info: RateBatchInfo = { partition: batch.partition, nextOffset, ...result };
      log.debug(info, 'rate batch done');
      opts.onBatch?.(info);
    },
  };

  const consuming = await runConsumer({
    role: 'rate',
    kafka,
    groupId,
    topic: topics.rollups,
    log,
    health,
    handler,
    ...(opts.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: opts.sessionTimeoutMs } : {}),
  });
  log.info({ groupId, topic: topics.rollups }, 'rate started');

  // Drafts time brings: sleep until the next period or subscription start, recompute those.
  let timer: NodeJS.Timeout | undefined;
  const wake = async (): Promise<void> => {
    const now = ctx.now();
    try {
      const due = await recomputeDue(pool, ctx, marks, now, customerFailed, (c) => unratable.rated(c));
      if (due.customers.length > 0) log.info({ customers: due.customers.length }, 'rate: drafts due by time or host states recomputed');
      marks = due.marks; // not advanced on failure: the next wake retries the same span
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rate: recomputing due drafts failed; the next wake retries');
    }
    schedule(await nextDueMs(pool, ctx, ctx.now()).catch(() => ctx.now() + 30_000));
  };
  const schedule = (dueMs: number): void => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => void wake(), sleepFor(ctx.now(), dueMs));
    timer.unref();
  };
  schedule(await nextDueMs(pool, ctx, ctx.now()).catch(() => ctx.now() + 30_000));

  return {
    async stop() {
      clearTimeout(timer);
      stopping.abort(new Error('rate stopping'));
      await consuming.stop();
    },
  };
}
