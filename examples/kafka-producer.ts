// An agent publishing samples straight to Kafka, without meterline's HTTP ingest — what a
// collector with a Kafka client does. Run against the local stack:
//   node --import tsx examples/kafka-producer.ts            (uses KAFKA_BROKERS, SCHEMA_REGISTRY_URL)
// The rules (docs/decisions.md "Kafka client"):
//   - topic `<KAFKA_TOPIC_PREFIX>metrics.raw`, record key = server_id (UTF-8), value = Avro of
//     avro/sample.avsc; metric values are exact decimal strings;
//   - with a Schema Registry: Confluent wire format, subject `<topic>-value` (TopicNameStrategy);
//     without: Avro single-object encoding (0xC3 0x01, CRC-64-AVRO fingerprint, body);
//   - acks=all, idempotence on, and the Java-compatible murmur2 partitioner (librdkafka clients:
//     `partitioner=murmur2_random`), so a server lands on the same partition as through ingest;
//   - a unique, stable `id` per sample: re-sending after a failed produce is then harmless.
// Records that fail validation are not silently dropped: the aggregate role routes them to
// metrics.dlq with the reason.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { Kafka, Partitioners } from 'kafkajs';
import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { fingerprintBytes } from '../avro/fingerprint.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const topic = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}metrics.raw`;
const registryUrl = process.env.SCHEMA_REGISTRY_URL;
const schemaText = readFileSync(new URL('../avro/sample.avsc', import.meta.url), 'utf8');

const sample = {
  id: `example-${Date.now()}`,
  server_id: 'srv-0001',
  ts: Date.now(), // epoch milliseconds (timestamp-millis)
  interval_s: '60',
  metrics: { cpu_util_pct: '12.5', net_tx_bytes: '1234567890' },
  labels: { dc: 'fra1' },
};

async function encode(): Promise<Buffer> {
  if (registryUrl) {
    const client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
    // Registers avro/sample.avsc under `<topic>-value` (or finds it) and frames 0x00 + id + body.
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
    return serializer.serialize(topic, sample);
  }
  const type = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema);
  const canonical = JSON.stringify(type.schema()); // Parsing Canonical Form
  return Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(canonical), type.toBuffer(sample)]);
}

const kafka = new Kafka({ clientId: 'example-agent', brokers });
// Never let the broker auto-create metrics.raw (one partition, default retention): meterline's
// roles create it with the documented layout when they start.
const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
await producer.connect();
const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: sample.server_id, value: await encode() }] });
console.log(`sample ${sample.id} written to ${topic} partition ${meta?.partition} offset ${meta?.baseOffset}`);
await producer.disconnect();
