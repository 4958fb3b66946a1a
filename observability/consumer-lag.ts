// meterline_consumer_lag_records{group, topic, partition}: the newest offset of each partition
// minus the group's committed offset, polled with an admin client (what KEDA's Kafka scaler
// and Burrow read too). Lag is measured outside the consumer, so it still shows when the
// consumer is stuck or gone — the case it matters most.
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface LagTarget {
  groupId: string;
  topic: string;
}

/** Lag per partition: high watermark − committed (−1 = nothing committed: the whole log). */
export function lagOf(high: ReadonlyArray<{ partition: number; high: string; low: string }>, committed: ReadonlyArray<{ partition: number; offset: string }>): Map<number, bigint> {
  const done = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  const out = new Map<number, bigint>();
  for (const h of high) {
    const c = done.get(h.partition) ?? -1n;
    const from = c < 0n ? BigInt(h.low) : c;
    const lag = BigInt(h.high) - from;
    out.set(h.partition, lag > 0n ? lag : 0n);
  }
  return out;
}

export interface LagWatcher {
  /** One poll now (tests); the timer polls every intervalMs. */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

export function watchConsumerLag(opts: { kafka: Kafka; targets: readonly LagTarget[]; metrics: Pick<Metrics, 'consumerLag'>; log: Logger; intervalMs?: number }): LagWatcher {
  let admin: Admin | undefined;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      if (!admin) {
        admin = opts.kafka.admin({ retry: { retries: 0 } });
        await admin.connect();
      }
      for (const t of opts.targets) {
        const [high, groups] = await Promise.all([admin.fetchTopicOffsets(t.topic), admin.fetchOffsets({ groupId: t.groupId, topics: [t.topic] })]);
        const committed = groups.find((g) => g.topic === t.topic)?.partitions ?? [];
        for (const [partition, lag] of lagOf(high, committed)) {
          opts.metrics.consumerLag.set({ group: t.groupId, topic: t.topic, partition: String(partition) }, Number(lag));
        }
      }
    } catch (err) {
      opts.log.debug({ err: (err as Error).message }, 'consumer lag not measured this time');
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), opts.intervalMs ?? 15_000);
  timer.unref();
  void poll(); // a first value at start, not one interval later
  return {
    poll,
    async stop() {
      clearInterval(timer);
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
