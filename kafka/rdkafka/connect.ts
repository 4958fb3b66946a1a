// node-rdkafka's callback and event API as promises, and librdkafka's own log lines and
// errors routed to the role's logger (without this they go to stderr in librdkafka's format,
// or nowhere).
import type { Client, LibrdKafkaError, Metadata } from 'node-rdkafka';
import type { KafkaLog } from '../client.js';

/** Resolves/rejects a node-style callback API call (librdkafka errors are Error objects). */
export const call = (f: (cb: (err: LibrdKafkaError | null | undefined) => void) => void): Promise<void> =>
  new Promise<void>((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

/**
 * Connects (fetches metadata); rejects with librdkafka's reason when the brokers cannot be
 * reached. Resolves to the metadata the broker answered.
 *
 * With `topic`, only that topic's metadata is asked for. Without it node-rdkafka asks for every
 * topic's (`allTopics: false` alone does not narrow it: librdkafka then asks for the topics it
 * knows locally, none yet, which the request reads as all). On the shared test broker
 * (≈ 3 700 topics) that answer cost ≈ 10 MiB of RSS per client — librdkafka's copy, and a
 * transient JS copy that grew the V8 heap for good — and the aggregate role has one client per
 * owned partition. The topic's handle is created with the client's default topic config (our
 * topic config: node-rdkafka installs it as `default_topic_conf`), so a later produce to it
 * keeps the configured partitioner; it must exist (topics are created by prepareTopics).
 * node-rdkafka keeps the answer on the client as JS objects, read again only by a second
 * connect() while the first is pending, which never happens here: dropped.
 */
export function connect<T extends string>(c: Client<T>, { topic, timeoutMs = 30_000 }: { topic?: string | undefined; timeoutMs?: number } = {}): Promise<Metadata> {
  const only = topic === undefined ? {} : { topic, allTopics: false };
  return new Promise((resolve, reject) => {
    c.connect({ timeout: timeoutMs, ...only }, (err, metadata) => {
      if (err) return reject(err);
      (c as unknown as { _metadata: unknown })._metadata = {};
      resolve(metadata);
    });
  });
}

/** Disconnects, giving up after `ms` (a broker gone must not hold a shutdown). */
export function disconnect<T extends string>(c: Client<T>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    try {
      c.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // Never connected: nothing to release.
      clearTimeout(timer);
      resolve();
    }
  });
}

/** syslog severities (librdkafka's `level`): 0–3 errors, 4 warnings, the rest detail. */
const levelOf = (severity: number): 'error' | 'warn' | 'debug' => (severity <= 3 ? 'error' : severity === 4 ? 'warn' : 'debug');

/**
 * librdkafka's log and error events to the role's log. Errors here are ones it retries by
 * itself (a broker down, a connection reset): warnings. A fatal error also fails the next
 * call on the client, which is where it is acted upon.
 */
export function routeLogs(c: Client<'event.log' | 'event.error'>, log: KafkaLog, name: string): void {
  c.on('event.log', (e: { severity: number; fac: string; message: string }) =>
    log(levelOf(e.severity), `librdkafka ${e.fac}: ${e.message}`, { client: name }),
  );
  c.on('event.error', (err: LibrdKafkaError) =>
    log(err.isFatal ? 'error' : 'warn', `librdkafka: ${err.message}`, { client: name, code: err.code }),
  );
}
