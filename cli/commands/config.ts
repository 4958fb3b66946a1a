// `meterline config [--check]`: validates the environment and prints the variables table.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { VARIABLES } from '../../config/variables.js';

export const command: Command = {
  summary: 'validate the environment (--check) or print the table of variables (--markdown)',
  async run(argv) {
    const { values } = parseFlags(argv, { check: { type: 'boolean' }, markdown: { type: 'boolean' } });
    if (values.markdown) {
      console.log('| variable | default | meaning |\n| --- | --- | --- |');
      for (const v of VARIABLES) console.log(`| \`${v.name}\` | ${v.default ? `\`${v.default}\`` : '—'} | ${v.doc} |`);
      return 0;
    }
    loadConfig();
    console.log('configuration ok');
    return 0;
  },
};
