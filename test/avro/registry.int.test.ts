// Against the stack's Schema Registry (Apicurio, Confluent-compatible API): meterline's
// records and Confluent's own serdes read each other, so any Confluent-ecosystem agent or tool
// can produce and consume meterline's topics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AvroDeserializer, AvroSerializer, SerdeType, type Client } from '@confluentinc/schemaregistry';
import { createRegistryClient } from '../../avro/registry.js';
import { registrySerde } from '../../avro/serde.js';
import { recordToSample, sampleToRecord } from '../../avro/records.js';
import type { Sample } from '../../pipeline/samples/sample.js';

const url = process.env.SCHEMA_REGISTRY_URL;
const topic = `t${Date.now()}.registry.metrics.raw`;
const sample: Sample = { id: 'r1', serverId: 'srv-7', tsMs: Date.UTC(2026, 9, 1), intervalS: '30', metrics: { m: '0.3', big: '98765432109876543210' }, labels: { dc: 'fra1' } };

test('Schema Registry round trip and interoperability with Confluent serdes', async () => {
  assert.ok(url, 'SCHEMA_REGISTRY_URL must be set (meterline stack up starts a registry and writes it to .stack/env)');
  const client = await createRegistryClient({ url });
  const serde = registrySerde(client);

  const ours = await serde.encode('sample', topic, sampleToRecord(sample));
  assert.equal(ours[0], 0, 'Confluent magic byte');
  const id = ours.readUInt32BE(1);
  const back = recordToSample(await serde.decode('sample', topic, ours));
  assert.ok(back.ok);
  assert.deepEqual(back.sample, sample);

  // Confluent's deserializer reads what we wrote.
  const des = new AvroDeserializer(client as unknown as Client, SerdeType.VALUE, {});
  const theirs = (await des.deserialize(topic, ours)) as { id: string; metrics: Record<string, string> };
  assert.equal(theirs.id, 'r1');
  assert.deepEqual({ ...theirs.metrics }, sample.metrics);

  // We read what Confluent's serializer writes (it uses the schema we registered under the subject).
  const ser = new AvroSerializer(client as unknown as Client, SerdeType.VALUE, { useLatestVersion: true });
  const fromThem = await ser.serialize(topic, sampleToRecord(sample));
  assert.equal(fromThem.readUInt32BE(1), id);
  const back2 = recordToSample(await serde.decode('sample', topic, fromThem));
  assert.ok(back2.ok);
  assert.deepEqual(back2.sample, sample);
});
