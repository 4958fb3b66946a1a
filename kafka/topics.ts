// Topic names and their configuration, in one place. Every topic name carries
// KAFKA_TOPIC_PREFIX (tests use a unique prefix per file, so runs never share a topic).
//
// | topic          | partitions           | cleanup | retention                         | key       |
// |----------------|----------------------|---------|-----------------------------------|-----------|
// | metrics.raw    | KAFKA_PARTITIONS (6) | delete  | max(dedup horizon, max age) + 7 d | server_id |
// | metrics.dlq    | 1                    | delete  | same as metrics.raw               | server_id or none |
// | usage.rollups  | KAFKA_PARTITIONS (6) | delete  | same as metrics.raw               | server_id |
// | aggregate.state| KAFKA_PARTITIONS (6) | compact | forever (latest value per key)    | role's choice |
// | billing.documents | KAFKA_PARTITIONS (6) | delete | forever (accounting records)   | customer  |
//
// All get replication KAFKA_REPLICATION_FACTOR and min.insync.replicas KAFKA_MIN_INSYNC_REPLICAS
// (capped at the replication factor): with producers at acks=all, 3/2 in production means an
// acknowledged sample survives the loss of one broker.
import type { Admin, ConfigResourceTypes } from 'kafkajs';
import type { Config } from '../config/env.js';

// kafkajs is CommonJS and its enums are not visible as ESM named exports: the TOPIC value.
const TOPIC = 2 as ConfigResourceTypes;

export const TOPICS = {
  raw: 'metrics.raw',
  dlq: 'metrics.dlq',
  rollups: 'usage.rollups',
  aggregateState: 'aggregate.state',
  documents: 'billing.documents',
} as const;
export type TopicKey = keyof typeof TOPICS;

export const topicName = (prefix: string, key: TopicKey): string => `${prefix}${TOPICS[key]}`;

export type TopicNames = Record<TopicKey, string>;
export const topicNames = (prefix: string): TopicNames =>
  Object.fromEntries(Object.keys(TOPICS).map((k) => [k, topicName(prefix, k as TopicKey)])) as TopicNames;

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

type TopicConfig = Pick<Config, 'kafka' | 'dedupHorizonMs' | 'maxSampleAgeMs'>;

const DAY_MS = 86_400_000;
/** Margin over the dedup horizon: a consumer that rebuilds state replays a bit more than the horizon. */
export const RETENTION_MARGIN_MS = 7 * DAY_MS;

const common = (cfg: TopicConfig): Record<string, string> => ({
  'min.insync.replicas': String(Math.min(cfg.kafka.minInsyncReplicas, cfg.kafka.replicationFactor)),
});

/**
 * metrics.raw keeps every sample at least as long as its id is remembered for deduplication
 * (and as long as ingest accepts samples that old), plus a margin: any state built from it can
 * be rebuilt by replaying the topic.
 */
export const rawRetentionMs = (cfg: TopicConfig): number => Math.max(cfg.dedupHorizonMs, cfg.maxSampleAgeMs) + RETENTION_MARGIN_MS;

/** A delete-retention topic. */
export function deleteTopicSpec(cfg: TopicConfig, name: string, partitions: number, retentionMs: number, extra: Record<string, string> = {}): TopicSpec {
  return {
    name,
    partitions,
    replicationFactor: cfg.kafka.replicationFactor,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs), ...common(cfg), ...extra },
  };
}

/**
 * A compacted topic (state stores, changelogs): the newest value per key is kept forever, a
 * null value (tombstone) deletes the key after `delete.retention.ms`. For roles' state topics.
 */
export function compactedTopicSpec(cfg: TopicConfig, name: string, partitions: number, extra: Record<string, string> = {}): TopicSpec {
  return {
    name,
    partitions,
    replicationFactor: cfg.kafka.replicationFactor,
    configs: {
      'cleanup.policy': 'compact',
      // Compaction runs on closed segments only: a smaller segment lets a restored state stay small.
      'segment.ms': String(6 * 3_600_000),
      'min.cleanable.dirty.ratio': '0.5',
      // A restoring consumer must see a tombstone before it is removed.
      'delete.retention.ms': String(DAY_MS),
      ...common(cfg),
      ...extra,
    },
  };
}

/** The topics meterline creates (names with the configured prefix). */
export function topicSpecs(cfg: TopicConfig): TopicSpec[] {
  const names = topicNames(cfg.kafka.topicPrefix);
  const retention = rawRetentionMs(cfg);
  const n = cfg.kafka.partitions;
  return [
    deleteTopicSpec(cfg, names.raw, n, retention),
    // Low volume; one partition keeps rejected input in arrival order for whoever inspects it.
    deleteTopicSpec(cfg, names.dlq, 1, retention),
    // Same partition count and key as metrics.raw, so sink and rate scale like aggregate.
    deleteTopicSpec(cfg, names.rollups, n, retention),
    // Co-partitioned with metrics.raw: state partition p belongs to input partition p.
    // Large records are allowed (format 1 held a partition's whole state in one). Segments roll
    // every 10 minutes or 32 MiB, whichever comes first, so compaction keeps a restore short:
    // it only cleans closed segments, and a restore reads every record compaction left.
    compactedTopicSpec(cfg, names.aggregateState, n, {
      'max.message.bytes': String(32 * 1024 * 1024),
      'segment.ms': String(600_000),
      // Not below max.message.bytes: the broker refuses a batch larger than a segment.
      'segment.bytes': String(32 * 1024 * 1024),
      'min.cleanable.dirty.ratio': '0.1',
    }),
    // Finalized invoices and credit notes (SPEC §13), keyed by customer: a customer's documents
    // stay in order. Kept forever: they are accounting records, one per customer and month.
    deleteTopicSpec(cfg, names.documents, n, -1),
  ];
}

const isRetriable = (err: unknown): boolean => (err as { retriable?: unknown }).retriable === true;

/** How long ensureTopics waits for fresh topics' leaders (a fresh broker may take seconds). */
export const LEADER_WAIT_MS = 30_000;

type TopicMetadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;

/**
 * Metadata of `topics` once every partition has a leader. Right after creation, or on a broker
 * that has just started, the broker answers UNKNOWN_TOPIC_OR_PARTITION / LEADER_NOT_AVAILABLE
 * for a while: that is waited out (up to `timeoutMs`), not reported.
 */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = LEADER_WAIT_MS): Promise<TopicMetadata> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      const ready = meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return meta;
      if (Date.now() + delay > deadline) throw new Error(`topics ${topics.join(', ')}: no leader for every partition within ${timeoutMs} ms`);
    } catch (err) {
      if (!isRetriable(err) || Date.now() + delay > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

export interface EnsureResult {
  created: string[];
  existing: string[];
  /** Existing topics whose layout differs from the spec (never changed automatically). */
  warnings: string[];
}

/**
 * Create the missing topics; leave existing ones alone (idempotent, safe to run from every
 * role at start and concurrently). Partitions are never added automatically: that would move
 * servers to other partitions and break per-series ordering; a mismatch is reported instead.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<EnsureResult> {
  const before = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !before.has(s.name));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
          configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      // A topic just created whose metadata has not reached the broker yet (kafkajs waits for
      // LEADER_NOT_AVAILABLE only, not UNKNOWN_TOPIC_OR_PARTITION): waited for below. Another
      // process may have created some of them in between: fine if they now all exist.
      if (!isRetriable(err)) {
        const now = new Set(await admin.listTopics());
        if (!missing.every((s) => now.has(s.name))) throw err;
      }
    }
  }
  const created = missing.map((s) => s.name);
  const existing = specs.filter((s) => before.has(s.name));
  const warnings: string[] = [];
  // Every topic served with a leader on every partition before a role subscribes or produces.
  const meta = await waitForLeaders(admin, specs.map((s) => s.name));
  if (existing.length > 0) {
    for (const t of meta.topics) {
      const spec = existing.find((s) => s.name === t.name);
      if (spec && t.partitions.length !== spec.partitions) {
        warnings.push(`topic ${t.name} has ${t.partitions.length} partitions, configured ${spec.partitions} (left as is)`);
      }
    }
    // A state topic that is not compacted loses state to retention; a raw topic that is
    // compacted keeps one sample per server. Both are worth a loud warning.
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: existing.map((s) => ({ type: TOPIC, name: s.name, configNames: ['cleanup.policy'] })),
    });
    for (const r of described.resources) {
      const want = existing.find((s) => s.name === r.resourceName)?.configs['cleanup.policy'];
      const have = r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
      if (want && have && have !== want) warnings.push(`topic ${r.resourceName} has cleanup.policy=${have}, configured ${want} (left as is)`);
    }
  }
  return { created, existing: existing.map((s) => s.name), warnings };
}
