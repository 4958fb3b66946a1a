// The producer every role writes with: idempotent, acks=all, and an answer in bounded time.
//
// kafkajs' idempotent producer retries a failed produce forever (that is what keeps its
// sequence numbers safe: a produce that gave up but had in fact been written would make the
// broker silently drop the *next* batch as a duplicate). So we never cap its retries; instead
// `send` stops *waiting* after `ackTimeoutMs` and reports the records as not acknowledged. The
// abandoned produce may still land later; callers treat "not acknowledged" as "maybe written"
// (HTTP ingest answers 503, the agent re-sends, and the sample id removes the duplicate).
// While such a produce is stuck, new sends fail fast instead of piling up behind it.
import { Partitioners, type Kafka, type Producer, type Message } from 'kafkajs';
import { MeterlineError } from '../lib/errors.js';

export interface OutRecord {
  topic: string;
  /** Partition key (server_id); null = round robin. */
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
  /** Record timestamp (ms); default: now. (Not the sample time: retention must count from arrival.) */
  timestampMs?: number;
}

export interface RecordProducer {
  /** Resolves once Kafka acknowledged every record (acks=all); rejects with kind `unavailable` otherwise. */
  send(records: OutRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Records are sent in produce requests of at most this many bytes (keys + values + a per-record
 * allowance), sequentially: a broker refuses a record batch over its max.message.bytes (1 MiB by
 * default) for good, and kafkajs puts all of one send's records for a partition in one batch.
 */
export const MAX_REQUEST_BYTES = 768 * 1024;
const RECORD_OVERHEAD_BYTES = 64;

/** Splits records into chunks under `maxBytes`, keeping their order. */
export function chunkRecords(records: OutRecord[], maxBytes: number): OutRecord[][] {
  const chunks: OutRecord[][] = [];
  let current: OutRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = r.value.length + Buffer.byteLength(r.key ?? '') + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && size + n > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface AckedProducerOptions {
  /** Bytes per produce request (see MAX_REQUEST_BYTES). */
  maxRequestBytes?: number;
  /** How long a send waits for Kafka's acknowledgement. */
  ackTimeoutMs?: number;
  /** Broker-side wait for the in-sync replicas (the produce request's timeout). */
  brokerAckTimeoutMs?: number;
}

export const DEFAULT_ACK_TIMEOUT_MS = 10_000;

function byTopic(records: OutRecord[]): { topic: string; messages: Message[] }[] {
  const map = new Map<string, Message[]>();
  for (const r of records) {
    const list = map.get(r.topic) ?? [];
    list.push({
      key: r.key,
      value: r.value,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.timestampMs !== undefined ? { timestamp: String(r.timestampMs) } : {}),
    });
    map.set(r.topic, list);
  }
  return [...map].map(([topic, messages]) => ({ topic, messages }));
}

export function createAckedProducer(kafka: Pick<Kafka, 'producer'>, opts: AckedProducerOptions = {}): RecordProducer {
  const ackTimeoutMs = opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  const producer: Producer = kafka.producer({
    idempotent: true,
    // Java-compatible murmur2 on the key: a Java/Go/librdkafka agent producing straight to
    // Kafka with the murmur2 partitioner puts a server on the same partition as ingest does.
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    // Unbounded (see above); backoff capped low so a returning broker is used within ~2 s.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });

  let connecting: Promise<void> | undefined;
  let closed = false;

  const connect = (): Promise<void> => {
    if (!connecting) {
      connecting = producer.connect();
      // A failed connect is retried by the next send (e.g. the broker was down at start-up).
      connecting.catch(() => {
        connecting = undefined;
      });
    }
    return connecting;
  };

  const unavailable = (message: string, cause?: unknown) => new MeterlineError('unavailable', `Kafka: ${message}`, { cause });

  // Group commit. kafkajs' idempotent producer holds one produce request per broker at a time
  // (a lock around its sequence numbers), so concurrent sends — one per HTTP request — used to
  // queue for a full acknowledgement round trip each. Instead, the sends that arrive while a
  // produce is in flight wait in `queue` and then go to Kafka together, in one request per
  // MAX_REQUEST_BYTES, in arrival order (so each partition keeps its order). Each send resolves
  // when the produce that carried its records is acknowledged.
  interface Waiting {
    records: OutRecord[];
    startedMs: number;
    /** Its caller stopped waiting (ack timeout) while the produce carrying it was in flight. */
    stalled: boolean;
    taken: boolean;
    done: (err?: unknown) => void;
  }
  const queue: Waiting[] = [];
  /** Sends taken into the produce in flight. */
  let inFlight: Waiting[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        inFlight = queue.splice(0, queue.length);
        for (const w of inFlight) w.taken = true;
        let failure: unknown;
        try {
          await connect();
          // Sequential chunks keep each partition's order; a failure part-way is "not
          // acknowledged" like any other (the caller re-sends, sample ids remove the duplicates).
          for (const chunk of chunkRecords(inFlight.flatMap((w) => w.records), opts.maxRequestBytes ?? MAX_REQUEST_BYTES)) {
            await producer.sendBatch({ acks: -1, timeout: opts.brokerAckTimeoutMs ?? 30_000, topicMessages: byTopic(chunk) });
          }
        } catch (err) {
          failure = err;
        }
        for (const w of inFlight) w.done(failure ?? undefined);
        inFlight = [];
      }
    } finally {
      flushing = false;
    }
  }

  async function send(records: OutRecord[]): Promise<void> {
    if (closed) throw unavailable('producer is closed');
    if (records.length === 0) return;
    const now = Date.now();
    for (const w of inFlight) {
      if (w.stalled) throw unavailable(`an earlier produce has waited ${now - w.startedMs} ms for acknowledgement; not sending more`);
    }
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        records,
        startedMs: now,
        stalled: false,
        taken: false,
        done: (err) => {
          clearTimeout(timer);
          if (err === undefined) resolve();
          else reject(err instanceof MeterlineError ? err : unavailable((err as Error).message, err));
        },
      };
      timer = setTimeout(() => {
        if (entry.taken) entry.stalled = true;
        else queue.splice(queue.indexOf(entry), 1); // never sent: the caller re-sends it
        reject(unavailable(`no acknowledgement within ${ackTimeoutMs} ms`));
      }, ackTimeoutMs);
      queue.push(entry);
    });
    if (!flushing) void flush();
    return acked;
  }

  return {
    send,
    async close() {
      closed = true;
      await producer.disconnect().catch(() => undefined);
    },
  };
}
