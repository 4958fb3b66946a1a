// Where loadgen (and `bench ingest`) sends samples: HTTP POST batches to an ingest endpoint, or
// Avro records straight to Kafka. Per-server order is kept (SPEC §3: a counter's samples count
// in arrival order): HTTP requests run concurrently, but each server always goes through the
// same worker, and a worker has one request in flight at a time.
import type { Sample } from '../pipeline/samples/sample.js';
import { sampleToJson } from '../pipeline/samples/parse.js';
import { sampleToRecord } from '../avro/records.js';
import type { AvroSerde } from '../avro/serde.js';
import type { RecordProducer } from '../kafka/producer.js';

export interface SendStats {
  requests: number;
  accepted: number;
  rejected: number;
  /** 503s and network errors that were retried. */
  retries: number;
  /** Per request (HTTP) or per produce (Kafka): milliseconds until acknowledged. */
  latenciesMs: number[];
  /** First few rejection reasons, for the summary. */
  reasons: string[];
}

export interface Sender {
  send(s: Sample): Promise<void>;
  /** Sends what is buffered and waits for every acknowledgement. */
  flush(): Promise<void>;
  readonly stats: SendStats;
}

export const emptySendStats = (): SendStats => ({ requests: 0, accepted: 0, rejected: 0, retries: 0, latenciesMs: [], reasons: [] });

export class SendError extends Error {
  override name = 'SendError';
}

export interface HttpSenderOptions {
  url: string;
  key: string;
  batch: number;
  concurrency: number;
  format: 'ndjson' | 'json';
  maxAttempts?: number;
  /** Pre-serialised bodies skip JSON work in the timed path (bench). */
  fetchImpl?: typeof fetch;
}

/** FNV-1a: a stable worker per server. */
const hash = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

export function httpSender(opts: HttpSenderOptions): Sender {
  const stats = emptySendStats();
  const endpoint = new URL('/v1/samples', opts.url).toString();
  const contentType = opts.format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
  const maxAttempts = opts.maxAttempts ?? 10;
  const doFetch = opts.fetchImpl ?? fetch;
  const workers = Array.from({ length: opts.concurrency }, () => ({ buf: [] as Sample[], busy: Promise.resolve() }));

  const bodyOf = (batch: Sample[]) => {
    const rows = batch.map((s) => JSON.stringify(sampleToJson(s)));
    return opts.format === 'ndjson' ? `${rows.join('\n')}\n` : `[${rows.join(',')}]`;
  };

  async function post(batch: Sample[]): Promise<void> {
    const body = bodyOf(batch);
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      let res: Response;
      try {
        res = await doFetch(endpoint, { method: 'POST', body, headers: { 'content-type': contentType, authorization: `Bearer ${opts.key}` } });
      } catch (err) {
        if (attempt >= maxAttempts) throw new SendError(`POST ${endpoint}: ${(err as Error).message} (after ${attempt} attempts)`);
        stats.retries++;
        await backoff(attempt);
        continue;
      }
      const text = await res.text();
      if ((res.status === 503 || res.status === 429) && attempt < maxAttempts) {
        // 429: this key's rate limit (METERLINE_KEY_RATE_LIMIT); wait as long as the server asks
        stats.retries++;
        const asked = Number(res.headers.get('retry-after'));
        await (res.status === 429 && asked > 0 ? new Promise((r) => setTimeout(r, Math.min(asked, 60) * 1000)) : backoff(attempt));
        continue;
      }
      stats.requests++;
      if (res.status === 202 || res.status === 400) {
        stats.latenciesMs.push(performance.now() - t0);
        const r = JSON.parse(text) as { accepted?: number; rejected?: { index: number; reason: string }[]; error?: string };
        stats.accepted += r.accepted ?? 0;
        stats.rejected += r.rejected?.length ?? 0;
        for (const x of r.rejected ?? []) if (stats.reasons.length < 5) stats.reasons.push(`${x.reason}`);
        if (res.status === 400 && !r.rejected?.length) throw new SendError(`POST ${endpoint}: 400 ${r.error ?? text}`);
        return;
      }
      throw new SendError(`POST ${endpoint}: ${res.status} ${text.slice(0, 300)}`);
    }
  }

  const flushWorker = async (w: (typeof workers)[number]) => {
    await w.busy;
    if (w.buf.length === 0) return;
    const batch = w.buf;
    w.buf = [];
    w.busy = post(batch);
  };

  return {
    stats,
    async send(s) {
      const w = workers[hash(s.serverId) % workers.length] as (typeof workers)[number];
      w.buf.push(s);
      if (w.buf.length >= opts.batch) await flushWorker(w);
    },
    async flush() {
      await Promise.all(workers.map(flushWorker));
      await Promise.all(workers.map((w) => w.busy));
    },
  };
}

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)));

export interface KafkaSenderOptions {
  producer: RecordProducer;
  serde: AvroSerde;
  topic: string;
  batch: number;
}

/** Straight to Kafka, as an agent with a Kafka client would publish (Avro, keyed by server_id). */
export function kafkaSender(opts: KafkaSenderOptions): Sender {
  const stats = emptySendStats();
  let buf: Sample[] = [];
  const produce = async () => {
    if (buf.length === 0) return;
    const batch = buf;
    buf = [];
    const records = [];
    for (const s of batch) records.push({ topic: opts.topic, key: s.serverId, value: await opts.serde.encode('sample', opts.topic, sampleToRecord(s)) });
    const t0 = performance.now();
    await opts.producer.send(records);
    stats.latenciesMs.push(performance.now() - t0);
    stats.requests++;
    stats.accepted += batch.length;
  };
  return {
    stats,
    async send(s) {
      buf.push(s);
      if (buf.length >= opts.batch) await produce();
    },
    flush: produce,
  };
}
