// `meterline sink`: the sink role alone (usage.rollups → TimescaleDB, effectively once).
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { untilShutdown } from '../../lib/signals.js';
import { createApp } from '../../api/app.js';
import { sinkRole } from '../../sinks/index.js';

export const command: Command = {
  summary: 'sink role: usage.rollups → TimescaleDB rollup_parts (COPY + ON CONFLICT DO NOTHING)',
  async run(argv) {
    const { values } = parseFlags(argv, { catalog: { type: 'string' } });
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'sink' });
    const shutdown = untilShutdown();
    const role = await sinkRole(values.catalog ? { catalogPath: values.catalog } : {}).start({ config, log, app: createApp() });
    log.info('sink: running');
    await shutdown;
    await role.stop();
    return 0;
  },
};
