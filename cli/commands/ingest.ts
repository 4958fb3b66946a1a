// `meterline ingest`: the ingest role alone, serving POST /v1/samples (and /healthz) on PORT.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { untilShutdown } from '../../lib/signals.js';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/serve.js';
import { ingestRole } from '../../pipeline/ingest/role.js';

export const command: Command = {
  summary: 'ingest role: POST /v1/samples → Kafka metrics.raw (202 after acks=all), rejects → metrics.dlq',
  async run(argv) {
    parseFlags(argv, {});
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'ingest' });
    const shutdown = untilShutdown();
    const app = createApp();
    const role = await ingestRole().start({ config, log, app });
    const server = await listen(app, config.port);
    log.info({ port: server.port }, 'ingest: listening');
    await shutdown;
    await server.stop();
    await role.stop();
    return 0;
  },
};
