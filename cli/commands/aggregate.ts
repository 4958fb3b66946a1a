// `meterline aggregate`: the aggregate role alone (metrics.raw → usage.rollups, exactly once).
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { UsageError } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { parseDuration } from '../../lib/duration.js';
import { createLogger } from '../../observability/log.js';
import { untilShutdown } from '../../lib/signals.js';
import { consumerRoleServer } from '../../observability/serve.js';
import { aggregateRole } from '../../pipeline/aggregate/index.js';

const duration = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
};

export const command: Command = {
  summary: 'aggregate role: metrics.raw → event-time windows → usage.rollups (Kafka transactions)',
  async run(argv) {
    const { values } = parseFlags(argv, {
      catalog: { type: 'string' },
      'commit-interval': { type: 'string' },
      'commit-records': { type: 'string' },
      'session-timeout': { type: 'string' },
    });
    const records = values['commit-records'];
    if (records !== undefined && !/^[1-9]\d*$/.test(records))
      throw new UsageError('--commit-records: must be a positive whole number');
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'aggregate' });
    const shutdown = untilShutdown();
    const ops = await consumerRoleServer(config, log, 'aggregate');
    const role = await aggregateRole({
      ...(values.catalog ? { catalogPath: values.catalog } : {}),
      ...(values['commit-interval']
        ? { commitEveryMs: duration('commit-interval', values['commit-interval']) }
        : {}),
      ...(records ? { commitEveryRecords: Number(records) } : {}),
      ...(values['session-timeout']
        ? { sessionTimeoutMs: duration('session-timeout', values['session-timeout']) }
        : {}),
    }).start(ops.context);
    log.info('aggregate: running');
    await shutdown;
    await role.stop();
    await ops.stop();
    return 0;
  },
};
