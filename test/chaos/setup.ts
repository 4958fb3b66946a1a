// Everything the chaos run needs before the first role starts, on its own stack: the roles'
// environment, the catalogue file, the schema, API keys (agent for the traffic, finance for the
// checks) and the topics.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs, { type Kafka } from 'kafkajs';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { ensureTopics, topicNames, topicSpecs, type TopicNames } from '../../kafka/topics.js';
import { runToEnd } from '../e2e/processes.js';
import type { OwnStack } from './own-stack.js';

export const PARTITIONS = 3;
const PREFIX = 'chaos.';

export interface Prepared {
  env: NodeJS.ProcessEnv;
  catalogFile: string;
  keys: { agent: string; finance: string };
  kafka: Kafka;
  topics: TopicNames;
  aggregateGroup: string;
}

async function meterline(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runToEnd(args, env);
  if (r.code !== 0) throw new Error(`meterline ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

const newKey = async (role: string, env: NodeJS.ProcessEnv) =>
  (await meterline(['keys', 'create', '--role', role], env)).trim().split('\n').at(-1) as string;

export async function prepare(stack: OwnStack, dir: string, catalogYaml: string): Promise<Prepared> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack.env,
    KAFKA_TOPIC_PREFIX: PREFIX,
    KAFKA_PARTITIONS: String(PARTITIONS),
    METERLINE_WINDOW: '1h',
    METERLINE_IDLE_TIMEOUT: '2s',
    // The traffic is October 2026 whatever today is; ingest's age limit is not under test.
    METERLINE_MAX_SAMPLE_AGE: '3650d',
    METERLINE_LOG_LEVEL: 'info',
    METERLINE_LOG_FORMAT: 'json',
  };
  delete env.SCHEMA_REGISTRY_URL; // the chaos stack has none: the roles use the plain Avro encoding
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, catalogYaml);
  await meterline(['migrate'], env);
  const keys = { agent: await newKey('agent', env), finance: await newKey('finance', env) };

  const config = loadConfig(env);
  const kafka = createKafka(config.kafka, { role: 'chaos', level: 'error' });
  const topics = topicNames(PREFIX);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs(config));
    // As test/invoicing/pipeline.int.test.ts: catching up on a month, the aggregate sends part
    // batches above the default 1 MiB max.message.bytes (a known limit of that role, not this
    // suite's subject).
    await admin.alterConfigs({
      validateOnly: false,
      resources: [topics.rollups, topics.aggregateState].map((name) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name,
        configEntries: [{ name: 'max.message.bytes', value: String(8 * 1024 * 1024) }],
      })),
    });
  } finally {
    await admin.disconnect();
  }
  return { env, catalogFile, keys, kafka, topics, aggregateGroup: `${PREFIX}meterline-aggregate` };
}
