// Reading back what an aggregate role committed to usage.rollups (shared by the role tests).
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { plainSerde } from '../../../avro/serde.js';
import { recordToRollup } from '../../../avro/records.js';
import type { RollupPart } from '../../../pipeline/aggregation/rollup.js';

/**
 * The committed parts on usage.rollups (read_committed), read until `expected` parts arrived
 * (or 20 s passed: then the assertion shows what is missing). Not "to the end offsets": admin
 * ListOffsets answers the last stable offset, and a transaction's commit markers are written
 * after EndTxn returns, so right after a commit the end can still lie before its parts —
 * that race made the reader see an empty topic (issue 12: {count: 0, sum: 0}).
 */
export async function committedParts(kafka: Kafka, topic: string, expected: number): Promise<RollupPart[]> {
  const parts: RollupPart[] = [];
  const serde = plainSerde();
  const consumer = kafka.consumer({ groupId: `read-${randomBytes(4).toString('hex')}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 20_000);
    const check = () => {
      if (parts.length < expected) return;
      clearTimeout(timer);
      resolve();
    };
    check();
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) if (m.value) parts.push(recordToRollup(await serde.decode('rollup', topic, m.value)));
          check();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return parts;
}

