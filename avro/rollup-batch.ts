// Decoding one fetched batch of `usage.rollups` records, shared by the sink and the rate role.
// A record that cannot be read is kept as a dead letter with its reason (never dropped); a
// Schema Registry outage says nothing about the record, so it fails the whole batch instead
// (kafkajs fetches it again) rather than dead-letter a good part.
import type { Batch } from 'kafkajs';
import type { Logger } from '../observability/log.js';
import type { RollupPart } from '../pipeline/aggregation/rollup.js';
import { isKind } from '../lib/errors.js';
import type { AvroSerde } from './serde.js';
import { deadLetterToRecord, recordToRollup } from './records.js';

export interface RollupAt {
  part: RollupPart;
  /** Where the part was read: lineage for explain, and the sink's origin columns. */
  at: { topic: string; partition: number; offset: string };
}

export interface DecodedRollupBatch {
  parts: RollupAt[];
  /** Encoded DLQ records, ready to produce to `dlqTopic`. */
  dead: { value: Buffer }[];
}

export async function decodeRollupBatch(
  batch: Pick<Batch, 'topic' | 'partition' | 'messages'>,
  serde: AvroSerde,
  dlqTopic: string,
  role: string,
  log: Logger,
): Promise<DecodedRollupBatch> {
  const parts: RollupAt[] = [];
  const dead: { value: Buffer }[] = [];
  for (const m of batch.messages) {
    const at = { topic: batch.topic, partition: batch.partition, offset: m.offset };
    try {
      if (!m.value) throw new Error('record has no value');
      parts.push({ part: recordToRollup(await serde.decode('rollup', batch.topic, m.value)), at });
    } catch (err) {
      if (isKind(err, 'unavailable')) throw err;
      const reason = `${role}: ${(err as Error).message}`;
      log.error({ partition: batch.partition, offset: m.offset, reason }, 'undecodable rollup record sent to the DLQ');
      dead.push(await rollupDeadLetter(serde, dlqTopic, m.value, at, reason));
    }
  }
  return { parts, dead };
}

/**
 * A usage.rollups record that decoded but cannot be processed for good (PostgreSQL refuses its
 * row, its plan is gone), as a DLQ record: the original bytes, where it was read, and why.
 */
export async function rollupDeadLetter(
  serde: AvroSerde,
  dlqTopic: string,
  original: Buffer | null,
  at: RollupAt['at'],
  reason: string,
): Promise<{ value: Buffer }> {
  const letter = deadLetterToRecord({ original: original ?? Buffer.alloc(0), reason, source: 'kafka', receivedAtMs: Date.now(), origin: at });
  return { value: await serde.encode('dlq', dlqTopic, letter) };
}
