// Collects every record of some topics from the beginning, for tests to await what they expect.
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface Collected {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export async function collect(kafka: Kafka, topics: string[]) {
  const got: Collected[] = [];
  const waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const consumer = kafka.consumer({ groupId: `test-${Date.now()}-${Math.random().toString(16).slice(2)}`, retry: { retries: 10 } });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      got.push({ topic, partition, message });
      for (const w of [...waiters]) {
        if (w.pred()) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  });
  return {
    got,
    /** Resolves when pred() holds; rejects after timeoutMs naming what was awaited. */
    until(pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
      if (pred()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${got.length} records)`)), timeoutMs);
        waiters.push({ pred, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    stop: () => consumer.disconnect(),
  };
}
