// The outbox relay: documents in billing_events → Kafka billing.documents, effectively once.
// It runs inside the rate role (and so inside `meterline run`); of several rate processes one
// relays at a time, the holder of a PostgreSQL session lock, the others stand by.
//
// Per batch, in one PostgreSQL transaction: claim the oldest unpublished rows (FOR UPDATE SKIP
// LOCKED); in one Kafka transaction produce them and commit, as the transaction's consumer
// offsets of group `meterline-outbox-relay`, the list of their seqs (offset metadata of
// partition 0); then mark them published and commit PostgreSQL. A crash
//  - before the Kafka commit: Kafka aborts the transaction (read_committed readers never see
//    it), the rows are still unpublished and go in the next batch;
//  - after the Kafka commit, before PostgreSQL's: the next relay fences the old producer (same
//    transactional id), reads the last committed seq list and marks exactly those published
//    before claiming anything, so they are not sent again.
// Only the last Kafka transaction can be unmarked: a relay marks one before starting the next.
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import type { AvroSerde } from '../avro/serde.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { withTransaction } from '../invoicing/db/tx.js';
import { documentRecord } from './document-record.js';
import { claimUnpublished, markPublished, outboxLagSeconds } from './outbox.js';
import type { StoredEvent } from './types.js';
import { sleeper } from '../lib/sleeper.js';

export const RELAY_GROUP = 'meterline-outbox-relay';
/** Offset metadata is capped by the broker (offset.metadata.max.bytes, 4096): ≤ 200 seqs fit. */
export const DEFAULT_RELAY_BATCH = 100;
const LOCK_SQL = "SELECT pg_try_advisory_lock(hashtextextended('meterline.outbox-relay:' || $1, 0)) AS ok";

export interface RelayHooks {
  /** Rows claimed (the documents' own transactions committed long ago), nothing sent yet. */
  afterClaim?(events: readonly StoredEvent[]): Promise<void> | void;
  /** Records sent inside the open Kafka transaction, not committed. */
  afterSend?(events: readonly StoredEvent[]): Promise<void> | void;
  /** Kafka transaction committed, rows not yet marked published. */
  afterKafkaCommit?(events: readonly StoredEvent[]): Promise<void> | void;
}

export interface RelayOptions {
  kafka: Kafka;
  pool: pg.Pool;
  serde: AvroSerde;
  /** billing.documents with the deployment's prefix. */
  topic: string;
  log: Logger;
  metrics?: Metrics;
  /** Prefixed like the topics: one relay (and one fencing domain) per deployment. */
  groupId?: string;
  batchSize?: number;
  /** Idle poll interval (and the standby's lock retry). */
  pollMs?: number;
  /** Crash-point injection for tests; absent in production. */
  hooks?: RelayHooks;
  onPublished?(events: readonly StoredEvent[]): void;
}

export interface Relay {
  stop(): Promise<void>;
}

export function startRelay(opts: RelayOptions): Relay {
  const { kafka, pool, serde, topic, log } = opts;
  const groupId = opts.groupId ?? RELAY_GROUP;
  const batchSize = Math.min(opts.batchSize ?? DEFAULT_RELAY_BATCH, 200);
  const pollMs = opts.pollMs ?? 1000;
  const state = { stopped: false };
  const { sleep, wakeAll } = sleeper();
  let lockClient: pg.PoolClient | undefined;
  let producer: Producer | undefined;

  async function acquireLock(): Promise<boolean> {
    const client = await pool.connect();
    try {
      const r = await client.query<{ ok: boolean }>(LOCK_SQL, [groupId]);
      if (r.rows[0]?.ok) {
        // The lock lives as long as this session: a dead process's lock goes with its connection.
        client.on('error', () => undefined);
        lockClient = client;
        return true;
      }
    } catch (err) {
      client.release(true);
      throw err;
    }
    client.release();
    return false;
  }

  /** A fresh transactional producer; its first transaction fences any older one of this id. */
  async function fencedProducer(): Promise<Producer> {
    const p = kafka.producer({ transactionalId: groupId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await p.connect();
    const t = await p.transaction();
    await t.abort();
    return p;
  }

  /** Marks the last committed Kafka transaction's rows published (see the header). */
  async function recover(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const meta = committed?.partitions.find((p) => p.partition === 0)?.metadata ?? '';
      const seqs = meta.split(',').filter((s) => /^\d+$/.test(s));
      const marked = await withTransaction(pool, (client) => markPublished(client, seqs));
      if (marked > 0) log.warn({ marked }, 'relay: documents of the last Kafka transaction were on Kafka but not marked; marked now');
    } finally {
      await admin.disconnect();
    }
  }

  async function relayBatch(p: Producer): Promise<number> {
    return withTransaction(pool, async (client) => {
      const events = await claimUnpublished(client, batchSize);
      if (events.length === 0) return 0;
      await opts.hooks?.afterClaim?.(events);
      const messages = [];
      for (const e of events) {
        messages.push({
          key: e.customer,
          value: await serde.encode('document', topic, documentRecord(e)),
          headers: { event_id: e.id, event_type: e.type, document_id: e.documentId ?? '' },
        });
      }
      const seqs = events.map((e) => e.seq);
      const txn = await p.transaction();
      try {
        await txn.send({ topic, acks: -1, messages });
        await opts.hooks?.afterSend?.(events);
        const last = BigInt(seqs.at(-1) ?? '0');
        const position = { partition: 0, offset: String(last + 1n), metadata: seqs.join(',') };
        await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [position] }] });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => undefined);
        throw err;
      }
      await opts.hooks?.afterKafkaCommit?.(events);
      await markPublished(client, seqs);
      opts.metrics?.billingDocumentsPublished.inc(events.length);
      return events.length;
    });
  }

  async function lead(): Promise<void> {
    producer = await fencedProducer();
    await recover();
    failures = 0;
    log.info({ topic, groupId }, 'relay: leading; publishing documents from the outbox');
    while (!state.stopped) {
      const n = await relayBatch(producer);
      if (opts.metrics) opts.metrics.outboxLagSeconds.set(await outboxLagSeconds(pool));
      if (n < batchSize) await sleep(pollMs);
    }
  }

  /** Consecutive failed starts: the retry waits grow to 30 s while Kafka or PostgreSQL is away. */
  let failures = 0;
  const done = (async () => {
    while (!state.stopped) {
      try {
        if (!lockClient && !(await acquireLock())) {
          await sleep(pollMs);
          continue;
        }
        await lead();
      } catch (err) {
        if (state.stopped) break;
        // Kafka or PostgreSQL blipped (or the outcome of a Kafka commit is unknown): start over
        // with a new, fencing producer and a recovery, never retry a batch blind.
        failures += 1;
        log.warn({ err, failures }, 'relay: batch failed; restarting the relay');
        await producer?.disconnect().catch(() => undefined);
        producer = undefined;
        lockClient?.release(true);
        lockClient = undefined;
        await sleep(Math.min(pollMs * 2 ** Math.min(failures - 1, 10), 30_000));
      }
    }
  })();

  return {
    async stop() {
      state.stopped = true;
      wakeAll();
      await done;
      await producer?.disconnect().catch(() => undefined);
      // Destroyed, not returned to the pool: the session lock must not outlive the relay.
      lockClient?.release(true);
      lockClient = undefined;
    },
  };
}
