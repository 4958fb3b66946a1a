// Where accepted and rejected samples go: metrics.raw (Avro, keyed by server_id) and
// metrics.dlq (the original bytes and the reason). Both in one acknowledged produce, so a
// request is either wholly recorded or answered 503.
import type { AvroSerde } from '../../avro/serde.js';
import { encodeSamples } from '../../avro/sample-writer.js';
import { deadLetterToRecord, sampleToRecord, type DeadLetter } from '../../avro/records.js';
import type { RecordProducer, OutRecord } from '../../kafka/producer.js';
import type { Sample } from '../samples/sample.js';

export interface IngestBatch {
  samples: Sample[];
  deadLetters: DeadLetter[];
}

export interface IngestPublisher {
  /** Resolves once Kafka acknowledged everything; rejects (kind `unavailable`) otherwise. */
  publish(batch: IngestBatch): Promise<void>;
}

export interface KafkaPublisherOptions {
  serde: AvroSerde;
  producer: RecordProducer;
  topics: { raw: string; dlq: string };
}

export function kafkaPublisher({ serde, producer, topics }: KafkaPublisherOptions): IngestPublisher {
  return {
    async publish({ samples, deadLetters }) {
      const records: OutRecord[] = [];
      if (samples.length > 0 && serde.head) {
        // The request's samples by hand into one buffer (avro/sample-writer.ts: avsc's bytes,
        // one await for the frame instead of one per sample).
        const values = encodeSamples(await serde.head('sample', topics.raw), samples);
        for (let i = 0; i < samples.length; i++) records.push({ topic: topics.raw, key: (samples[i] as Sample).serverId, value: values[i] as Buffer });
      } else {
        for (const s of samples) records.push({ topic: topics.raw, key: s.serverId, value: await serde.encode('sample', topics.raw, sampleToRecord(s)) });
      }
      for (const d of deadLetters) {
        records.push({ topic: topics.dlq, key: d.serverId ?? null, value: await serde.encode('dlq', topics.dlq, deadLetterToRecord(d)) });
      }
      await producer.send(records);
    },
  };
}
