// Transactional producers on node-rdkafka (librdkafka), one per transactional.id, for a role
// whose consumer group is still a kafkajs one (the aggregate role; pipeline/aggregate/
// transaction.ts has the interface and the kafkajs twin).
//
// librdkafka batches the records of a transaction itself (linger, one request per partition
// and broker, pipelined), where kafkajs sent them call by call; produce() only enqueues.
//
// sendOffsetsToTransaction needs the consumer group's metadata, which librdkafka takes from a
// KafkaConsumer handle: one per group, connected but never subscribed, so it never joins the
// group (generation −1, no member id — what kafkajs' TxnOffsetCommit sends today). The broker
// accepts such a transactional offset commit while the kafkajs consumers are the group's
// members; zombies are fenced by the transactional.id's epoch, not by the group generation.
import rdkafka from 'node-rdkafka';
import type { KafkaConsumer, LibrdKafkaError, Producer } from 'node-rdkafka';
import type { KafkaConfig } from '../../config/env.js';
import type { KafkaLog } from '../client.js';
import { rdkafkaBase } from './config.js';
import { call, connect, disconnect, routeLogs } from './connect.js';

/** The shapes of pipeline/aggregate/transaction.ts (structural: kafka/ does not import pipeline/). */
interface Record_ {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  partition?: number;
}
interface Offset {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
}

export interface RdkafkaTransactionsOptions {
  /** Client id suffix (`meterline-aggregate`). */
  role: string;
  log: KafkaLog;
  /** transaction.timeout.ms: an open transaction older than this is aborted by the broker. */
  transactionTimeoutMs?: number;
  /** Longest a close waits for librdkafka to flush and let go. */
  closeTimeoutMs?: number;
  /**
   * A topic the producers write to, which exists: each client's connect asks for its metadata
   * alone instead of every topic in the cluster's (./connect.ts: ≈ 10 MiB per client on a
   * broker with thousands of topics, one client per owned partition).
   */
  metadataTopic?: string;
  /**
   * Records a transaction hands to librdkafka before it waits for them to be delivered
   * (flush) and hands over more. Bounds what librdkafka copies of one large commit (a window
   * close: ≈ 100 000 records at once); waiting on the flush frees the main thread meanwhile.
   */
  flushEvery?: number;
}

const QUEUE_FULL = -184;
/**
 * Topic-level settings: acks=all and Java's murmur2 for keyed records, so usage.rollups is
 * partitioned exactly as kafkajs' DefaultPartitioner (and ingest) does. node-rdkafka's topic
 * config replaces the global one's topic-level properties: set globally, the partitioner was
 * silently dropped (bench/kafka-clients/rdkafka.ts).
 */
const TOPIC_CONFIG = { 'request.required.acks': -1, partitioner: 'murmur2_random' } as const;

/**
 * Enqueues one record: true when it is queued, false when the local queue is full (nothing
 * queued). Synchronous: no await per record (about five per input sample). produce() copies
 * the value (RK_MSG_COPY), so a reused buffer may be passed.
 */
function tryProduce(p: Producer, r: Record_): boolean {
  try {
    p.produce(r.topic, r.partition ?? null, r.value, r.key);
    return true;
  } catch (e) {
    if ((e as LibrdKafkaError).code !== QUEUE_FULL) throw e;
    return false;
  }
}

/** Enqueues one record; on a full local queue, lets librdkafka drain it and tries again. */
async function produceWhenRoom(p: Producer, r: Record_): Promise<void> {
  while (!tryProduce(p, r)) {
    p.poll();
    await new Promise((res) => setTimeout(res, 5));
  }
}

/**
 * Default `flushEvery`. librdkafka copies each queued record with a ≈ 200-byte header, malloc'd
 * one by one on the main thread's arena, beside the part log's own copy: a window close at
 * 100 000 servers queued ≈ 100 000 records at once (≈ 30 MiB by that count), and the close's
 * peak varied by ≈ 40 MiB from run to run (docs/performance.md, "Where the steady state
 * stands"). 20 000 records is a few MiB, and more than a whole request per partition (a record
 * batch is capped at 1 MiB, ≈ 8 000 parts), so batches stay full.
 */
const FLUSH_EVERY = 20_000;

/** node-rdkafka takes offsets as numbers: exact up to 2^53, far beyond any real log. */
function offsetNumber(offset: string): number {
  const n = Number(offset);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`offset ${offset} cannot be committed through node-rdkafka`);
  return n;
}

export function rdkafkaTransactions(cfg: KafkaConfig, opts: RdkafkaTransactionsOptions) {
  const timeoutMs = opts.transactionTimeoutMs ?? 60_000;
  const closeMs = opts.closeTimeoutMs ?? 3000;
  const flushEvery = opts.flushEvery ?? FLUSH_EVERY;
  const base = rdkafkaBase(cfg, opts.role);
  /** Group-metadata handles by group id; a failed connect is forgotten so the next commit retries. */
  const groups = new Map<string, Promise<KafkaConsumer>>();

  function groupHandle(groupId: string): Promise<KafkaConsumer> {
    let h = groups.get(groupId);
    if (h === undefined) {
      const c = new rdkafka.KafkaConsumer({ ...base, 'group.id': groupId, 'enable.auto.commit': false, event_cb: true }, {});
      routeLogs(c, opts.log, `group-metadata ${groupId}`);
      h = connect(c, { topic: opts.metadataTopic }).then(() => c);
      h.catch(() => groups.delete(groupId));
      groups.set(groupId, h);
    }
    return h;
  }

  return {
    client: 'rdkafka' as const,

    open(transactionalId: string) {
      const p = new rdkafka.Producer(
        {
          ...base,
          'transactional.id': transactionalId,
          'enable.idempotence': true,
          // Topics are created by prepareTopics, never by a metadata request or a produce.
          'allow.auto.create.topics': false,
          'transaction.timeout.ms': timeoutMs,
          // A commit's records are all enqueued before it commits: batch them, large.
          'linger.ms': 5,
          'queue.buffering.max.messages': 500_000,
          // Bounded (issue 11: memory): librdkafka's default is 1 GiB per producer, one producer
          // per owned partition. A full queue is back-pressure: produce() waits for it to drain.
          'queue.buffering.max.kbytes': 16 * 1024,
          // node-rdkafka always registers a delivery callback, so librdkafka queued a report per
          // delivered record for the main thread's poll to serve (and kept the record's copy
          // until then). Failures are still reported, and commitTransaction fails on any.
          'delivery.report.only.error': true,
          event_cb: true,
        },
        TOPIC_CONFIG,
      );
      routeLogs(p, opts.log, transactionalId);
      let connected = false;
      return {
        async init(): Promise<void> {
          await connect(p, { topic: opts.metadataTopic });
          connected = true;
          // Serves librdkafka's events (logs, errors); delivery is checked by the commit.
          p.setPollInterval(100);
          await call((cb) => p.initTransactions(timeoutMs, cb));
        },

        async transact(records: Iterable<Record_>, offset: Offset): Promise<void> {
          const group = await groupHandle(offset.groupId);
          await call((cb) => p.beginTransaction(cb));
          try {
            // The value may be a view the next record overwrites: it is queued (copied) before
            // the iterable is advanced, also when the queue was full and we waited.
            let queued = 0;
            for (const r of records) {
              if (!tryProduce(p, r)) await produceWhenRoom(p, r);
              // Awaited, not polled: flush runs on a worker thread and calls back when
              // every queued record is delivered (a failed one fails the commit below).
              if (++queued % flushEvery === 0) await call((cb) => p.flush(timeoutMs, cb));
            }
            const offsets = [{ topic: offset.topic, partition: offset.partition, offset: offsetNumber(offset.offset) }];
            await call((cb) => p.sendOffsetsToTransaction(offsets, group, timeoutMs, cb));
            // Flushes every record first; fails if any could not be delivered.
            await call((cb) => p.commitTransaction(timeoutMs, cb));
          } catch (err) {
            // Fatal (fenced, for one): the producer is finished and cannot abort; the owner
            // closes it. Anything else: abort, so the next owner does not wait for the timeout.
            if (!(err as LibrdKafkaError).isFatal) await call((cb) => p.abortTransaction(timeoutMs, cb)).catch(() => undefined);
            throw err;
          }
        },

        async close(): Promise<void> {
          if (!connected) return;
          connected = false;
          p.setPollInterval(0);
          await disconnect(p, closeMs);
        },
      };
    },

    async close(): Promise<void> {
      const handles = [...groups.values()];
      groups.clear();
      await Promise.all(handles.map((h) => h.then((c) => disconnect(c, closeMs), () => undefined)));
    },
  };
}
