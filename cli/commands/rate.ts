// `meterline rate`: the rate role alone (usage.rollups → draft invoices in PostgreSQL).
import type { Command } from '../command.js';
import { durationFlag, parseFlags } from '../args.js';
import { runConsumerRole } from '../role-command.js';
import { rateRole } from '../../invoicing/role.js';

export const command: Command = {
  summary: 'rate role: usage.rollups → draft invoices and lines in PostgreSQL (recomputed, effectively once)',
  async run(argv) {
    const { values } = parseFlags(argv, { catalog: { type: 'string' }, 'session-timeout': { type: 'string' } });
    const sessionTimeoutMs = durationFlag('session-timeout', values['session-timeout']);
    return runConsumerRole(
      rateRole({
        ...(values.catalog ? { catalogPath: values.catalog } : {}),
        ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}),
      }),
    );
  },
};
