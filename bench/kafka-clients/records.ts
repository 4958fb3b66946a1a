// The benchmark's input: the project's own Avro sample records (Confluent framing through the
// configured registry, else single-object), 1-minute scrapes of a fleet, encoded once before
// any timing so every client sends the very same bytes.
import type { Config } from '../../config/env.js';
import { createSerde } from '../../avro/registry.js';
import { sampleToRecord } from '../../avro/records.js';
import { fleet } from '../../loadgen/fleet.js';
import type { BenchRecord } from './adapter.js';

/** The subject the records are registered under (TopicNameStrategy): one, whatever the run. */
const SUBJECT_TOPIC = 'bench.kafka-clients.samples';

export async function benchRecords(config: Config, count: number, servers: number): Promise<BenchRecord[]> {
  const serde = await createSerde(config);
  const rounds = Math.ceil(count / servers);
  const out: BenchRecord[] = [];
  for (const { sample } of fleet({
    servers,
    rounds,
    intervalS: 60,
    startMs: Math.floor((Date.now() - rounds * 60_000) / 60_000) * 60_000,
    seed: 11,
    duplicateShare: 0,
    outOfOrderShare: 0,
    lateShare: 0,
    resetShare: 0,
    allowedLatenessMs: config.allowedLatenessMs,
    windowMs: config.windowMs,
    serverPrefix: 'srv-',
  })) {
    if (out.length >= count) break;
    out.push({ key: sample.serverId, value: await serde.encode('sample', SUBJECT_TOPIC, sampleToRecord(sample)) });
  }
  return out;
}
