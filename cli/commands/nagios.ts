// Placeholder until its issue lands: says so and exits non-zero.
import type { Command } from '../command.js';

export const command: Command = {
  summary: '(not built yet)',
  async run() {
    console.error('meterline nagios: not built yet');
    return 2;
  },
};
