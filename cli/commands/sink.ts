// `meterline sink`: the sink role alone (usage.rollups → TimescaleDB, effectively once).
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { UsageError } from '../command.js';
import { parseDuration } from '../../lib/duration.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { untilShutdown } from '../../lib/signals.js';
import { consumerRoleServer } from '../../observability/serve.js';
import { sinkRole } from '../../sinks/index.js';

export const command: Command = {
  summary: 'sink role: usage.rollups → TimescaleDB rollup_parts (COPY + ON CONFLICT DO NOTHING)',
  async run(argv) {
    const { values } = parseFlags(argv, {
      catalog: { type: 'string' },
      'session-timeout': { type: 'string' },
    });
    let sessionTimeoutMs: number | undefined;
    try {
      if (values['session-timeout'] !== undefined)
        sessionTimeoutMs = parseDuration(values['session-timeout']);
    } catch (err) {
      throw new UsageError(`--session-timeout: ${(err as Error).message}`);
    }
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'sink' });
    const shutdown = untilShutdown();
    const ops = await consumerRoleServer(config, log, 'sink');
    const role = await sinkRole({
      ...(values.catalog ? { catalogPath: values.catalog } : {}),
      ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
    }).start(ops.context);
    log.info('sink: running');
    await shutdown;
    await role.stop();
    await ops.stop();
    return 0;
  },
};
