// `meterline ingest`: the ingest role alone, serving POST /v1/samples on PORT with /healthz,
// /readyz (Kafka, database), /metrics and /openapi.json.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { roleServer } from '../../observability/serve.js';
import { untilShutdown } from '../../lib/signals.js';
import { ingestRole } from '../../pipeline/ingest/role.js';

export const command: Command = {
  summary: 'ingest role: POST /v1/samples → Kafka metrics.raw (202 after acks=all), rejects → metrics.dlq',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'ingest' });
    const shutdown = untilShutdown();
    const server = roleServer(config, log, ['ingest']);
    const role = await ingestRole().start(server.context);
    try {
      await server.listen();
      await shutdown;
    } finally {
      await server.stop();
      await role.stop();
    }
    return 0;
  },
};
