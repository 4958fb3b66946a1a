// The acknowledged producer (kafka/producer.ts' RecordProducer) over librdkafka's per-record
// queue. librdkafka batches by itself (linger.ms), keeps several produce requests in flight per
// broker with idempotence on, and reports every record once (its delivery report); so there is
// no group commit here: each send puts its records on the queue, with itself as their opaque,
// and resolves when the last of its reports arrives without an error.
//
// Same contract as the kafkajs producer: `send` stops waiting after `ackTimeoutMs` and reports
// `unavailable`; the records may still be delivered later ("not acknowledged = maybe written");
// while such records are still outstanding, new sends fail fast instead of piling up behind them.
// The native client is behind `RdConnector` so this logic is unit-tested with a fake.
import { MeterlineError } from '../../lib/errors.js';
import { DEFAULT_ACK_TIMEOUT_MS, type OutRecord, type RecordProducer } from '../producer.js';

/** Thrown by `RdHandle.produce` when librdkafka's local queue is full (back-pressure). */
export class QueueFullError extends Error {}

/** A connected native producer. */
export interface RdHandle {
  /** Puts one record on the local queue; its delivery report carries `opaque`. */
  produce(record: OutRecord, opaque: object): void;
  /** Waits (bounded) for the queue to drain, then disconnects. */
  close(timeoutMs: number): Promise<void>;
}

export interface RdCallbacks {
  /** One per produced record: its opaque, and the error when it was not delivered. */
  delivered(opaque: unknown, err: Error | undefined): void;
  /** The client is unusable (a fatal idempotence error): the next send connects a new one. */
  fatal(err: Error): void;
}

export type RdConnector = (callbacks: RdCallbacks) => Promise<RdHandle>;

export interface RdAckedOptions {
  ackTimeoutMs?: number;
  /** Bound on close(): queued records get this long to be delivered. */
  closeTimeoutMs?: number;
  /** Wait before retrying a record the full local queue refused. */
  queueFullWaitMs?: number;
}

/** One send's records in flight. */
interface Pending {
  startedMs: number;
  /** Records queued and not yet reported. */
  outstanding: number;
  /** Every record is queued (none is still waiting for room). */
  allQueued: boolean;
  /** The caller was answered (resolved, rejected or timed out). */
  settled: boolean;
  failure?: Error;
  finish(err?: Error): void;
}

const unavailable = (message: string, cause?: unknown) => new MeterlineError('unavailable', `Kafka: ${message}`, { cause });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function ackedProducerOver(connector: RdConnector, opts: RdAckedOptions = {}): RecordProducer {
  const ackTimeoutMs = opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const queueFullWaitMs = opts.queueFullWaitMs ?? 2;
  let handle: Promise<RdHandle> | undefined;
  let closed = false;
  /** Sends answered "not acknowledged" whose records are still outstanding. */
  const stalled = new Set<Pending>();

  const callbacks: RdCallbacks = {
    delivered(opaque, err) {
      const p = opaque as Pending;
      p.outstanding--;
      if (err && !p.failure) p.failure = err;
      if (p.outstanding > 0) return;
      stalled.delete(p);
      if (p.allQueued) p.finish(p.failure);
    },
    fatal() {
      // Its queued records get failed delivery reports from librdkafka; the next send starts afresh.
      const old = handle;
      handle = undefined;
      void old?.then((h) => h.close(0)).catch(() => undefined);
    },
  };

  const connect = (): Promise<RdHandle> => {
    if (!handle) {
      const h = connector(callbacks);
      handle = h;
      // A failed connect (no broker at start-up) is retried by the next send.
      h.catch(() => {
        if (handle === h) handle = undefined;
      });
    }
    return handle;
  };

  async function enqueue(p: Pending, records: OutRecord[]): Promise<void> {
    const h = await connect();
    for (const r of records) {
      for (;;) {
        if (p.settled) return; // timed out while waiting for room: the rest is not sent
        try {
          h.produce(r, p);
          p.outstanding++;
          break;
        } catch (err) {
          if (!(err instanceof QueueFullError)) throw err;
          await delay(queueFullWaitMs);
        }
      }
    }
    p.allQueued = true;
    if (p.outstanding === 0) p.finish(p.failure);
  }

  async function send(records: OutRecord[]): Promise<void> {
    if (closed) throw unavailable('producer is closed');
    if (records.length === 0) return;
    const now = Date.now();
    const [oldest] = stalled;
    if (oldest) throw unavailable(`an earlier produce has waited ${now - oldest.startedMs} ms for acknowledgement; not sending more`);
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      const p: Pending = {
        startedMs: now,
        outstanding: 0,
        allQueued: false,
        settled: false,
        finish(err) {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(timer);
          if (err === undefined) resolve();
          else reject(err instanceof MeterlineError ? err : unavailable(err.message, err));
        },
      };
      timer = setTimeout(() => {
        if (p.settled) return;
        p.settled = true;
        if (p.outstanding > 0) stalled.add(p);
        reject(unavailable(`no acknowledgement within ${ackTimeoutMs} ms`));
      }, ackTimeoutMs);
      enqueue(p, records).catch((err: unknown) => p.finish(err instanceof Error ? err : new Error(String(err))));
    });
    return acked;
  }

  return {
    send,
    async close() {
      closed = true;
      const h = handle;
      handle = undefined;
      if (!h) return;
      const closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
      // A connect still under way (broker away) is not waited for beyond the bound; it is closed
      // whenever it ends.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => (timer = setTimeout(r, closeTimeoutMs)));
      await Promise.race([h.then((x) => x.close(closeTimeoutMs)).catch(() => undefined), bound]);
      clearTimeout(timer);
    },
  };
}
