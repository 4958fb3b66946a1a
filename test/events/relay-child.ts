// A relay process for the crash tests: runs the outbox relay against RELAY_DATABASE_URL and
// RELAY_TOPIC, and SIGKILLs itself at RELAY_CRASH_AT (afterClaim | afterSend | afterKafkaCommit)
// — no cleanup, no flush, as a machine losing power would.
import pg from 'pg';
import { loadConfig } from '../../config/env.js';
import { createKafka } from '../../kafka/client.js';
import { createSerde } from '../../avro/registry.js';
import { createLogger } from '../../observability/log.js';
import { startRelay, type RelayHooks } from '../../events/relay.js';

const config = loadConfig();
const crashAt = process.env.RELAY_CRASH_AT as keyof RelayHooks;
const die = () => {
  process.stdout.write(`crashing at ${crashAt}\n`);
  process.kill(process.pid, 'SIGKILL');
};
startRelay({
  kafka: createKafka(config.kafka, { role: 'relay-child', level: 'nothing' }),
  pool: new pg.Pool({ connectionString: process.env.RELAY_DATABASE_URL, max: 3 }),
  serde: await createSerde(config),
  topic: process.env.RELAY_TOPIC ?? '',
  groupId: process.env.RELAY_GROUP ?? '',
  log: createLogger('warn', 'relay-child'),
  pollMs: 100,
  hooks: { [crashAt]: die },
});
