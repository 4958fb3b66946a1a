// `meterline sink`: the sink role alone (usage.rollups → TimescaleDB, effectively once).
import type { Command } from '../command.js';
import { durationFlag, parseFlags } from '../args.js';
import { runConsumerRole } from '../role-command.js';
import { sinkRole } from '../../sinks/index.js';

export const command: Command = {
  summary: 'sink role: usage.rollups → TimescaleDB rollup_parts (COPY + offsets in one transaction)',
  async run(argv) {
    const { values } = parseFlags(argv, {
      catalog: { type: 'string' },
      'session-timeout': { type: 'string' },
    });
    const sessionTimeoutMs = durationFlag('session-timeout', values['session-timeout']);
    return runConsumerRole(
      sinkRole({
        ...(values.catalog ? { catalogPath: values.catalog } : {}),
        ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
      }),
    );
  },
};
