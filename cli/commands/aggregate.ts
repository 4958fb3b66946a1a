// `meterline aggregate`: the aggregate role alone (metrics.raw → usage.rollups, exactly once).
import type { Command } from '../command.js';
import { durationFlag, parseFlags } from '../args.js';
import { UsageError } from '../command.js';
import { runConsumerRole } from '../role-command.js';
import { aggregateRole } from '../../pipeline/aggregate/index.js';
import { limitHeapGrowth } from '../heap-growth.js';

/** Old generation at most 1.5 × what survived the last full GC (cli/heap-growth.ts). */
const HEAP_GROWTH_PERCENT = 50;

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
    const commitEveryMs = durationFlag('commit-interval', values['commit-interval']);
    const sessionTimeoutMs = durationFlag('session-timeout', values['session-timeout']);
    limitHeapGrowth(HEAP_GROWTH_PERCENT);
    return runConsumerRole(
      aggregateRole({
        ...(values.catalog ? { catalogPath: values.catalog } : {}),
        ...(commitEveryMs !== undefined ? { commitEveryMs } : {}),
        ...(records ? { commitEveryRecords: Number(records) } : {}),
        ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
      }),
    );
  },
};
