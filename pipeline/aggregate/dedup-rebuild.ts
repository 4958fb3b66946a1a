// Rebuilding sample-id claims Redis lost (dedup.ts says how it notices), on a partition's
// restore and before any record is applied: the partition's claim mark says up to which offset
// the claims are known to have survived; every record from there to the checkpoint (the next
// offset the restored state expects) was counted by a committed transaction, so its claim must
// exist. Each is re-read from metrics.raw, decoded with the processing's own decoder (records it
// cannot decode were never counted: skipped) and its id claimed with SET NX and its own
// partition:offset — what the lost claim held, so a replay of that record still recognises
// itself and a later duplicate (another offset) is refused. No mark at all (a Redis that lost
// everything, or one that never had marks) while the checkpoint is past the partition's start:
// rebuilt from the first record still within the dedup horizon.
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { AvroSerde } from '../../avro/serde.js';
import { recordToSample } from '../../avro/records.js';
import { isKind } from '../../lib/errors.js';
import type { Logger } from '../../observability/log.js';
import { readToEnd } from '../../kafka/read-to-end.js';
import type { RebuiltClaim, SampleDedup } from './dedup.js';

export interface RebuildDeps {
  kafka: Kafka;
  serde: AvroSerde;
  dedup: SampleDedup;
  topic: string;
  log: Logger;
}

/** Rebuilds the partition's lost claims below `checkpoint`; returns how many records were re-read. */
export async function rebuildClaims(d: RebuildDeps, partition: number, checkpoint: string | undefined): Promise<number> {
  const mark = await d.dedup.restoring(partition);
  if (checkpoint === undefined || BigInt(checkpoint) === 0n) return 0;
  const upTo = BigInt(checkpoint) - 1n;
  if (mark !== undefined && mark >= upTo) return 0;
  const now = Date.now();
  const admin = d.kafka.admin();
  await admin.connect();
  let from: bigint;
  try {
    const offsets = await admin.fetchTopicOffsets(d.topic);
    const low = BigInt(offsets.find((o) => o.partition === partition)?.low ?? '0');
    // Older records' claims have expired anyway: no need to read them.
    const inHorizon = (await admin.fetchTopicOffsetsByTimestamp(d.topic, now - d.dedup.horizonMs)).find((o) => o.partition === partition)?.offset;
    from = [low, mark === undefined ? 0n : mark + 1n, inHorizon !== undefined && BigInt(inHorizon) >= 0n ? BigInt(inHorizon) : 0n].reduce((a, b) => (a > b ? a : b));
  } finally {
    await admin.disconnect();
  }
  let read = 0;
  if (from <= upTo) {
    d.log.warn({ partition, mark: mark?.toString() ?? null, from: from.toString(), upTo: upTo.toString() }, 'aggregate: dedup claims lost in Redis; rebuilding them from Kafka');
    // Each record of from..upTo once and in order, also across a consumer kafkajs restarted
    // (kafka/read-to-end.ts): the mark moves only forward, past claims really set.
    read = await readToEnd({
      kafka: d.kafka,
      topic: d.topic,
      ranges: [{ partition, from, upTo }],
      groupPrefix: 'meterline-aggregate-dedup-rebuild',
      onRecords: async (_p, messages) => {
        const claims: RebuiltClaim[] = [];
        for (const m of messages) {
          const id = await decodedId(d, m);
          if (id !== undefined) claims.push({ id, offset: m.offset, ttlMs: d.dedup.horizonMs - (now - Number(m.timestamp)) });
        }
        await d.dedup.rebuild(partition, claims, BigInt((messages[messages.length - 1] as KafkaMessage).offset));
      },
      onRestart: (err) => d.log.warn({ partition, err: err.message }, 'aggregate: dedup rebuild read restarted by kafkajs; resuming at its position'),
    });
  }
  await d.dedup.rebuild(partition, [], upTo);
  return read;
}

/** The sample id as processing would see it; undefined when processing would dead-letter it. */
async function decodedId(d: RebuildDeps, m: KafkaMessage): Promise<string | undefined> {
  if (!m.value) return undefined;
  try {
    const r = recordToSample(await d.serde.decode('sample', d.topic, m.value));
    return r.ok ? r.sample.id : undefined;
  } catch (err) {
    if (isKind(err, 'unavailable')) throw err; // processing would wait too: the restore retries
    return undefined;
  }
}
