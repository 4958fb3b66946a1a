// `meterline api`: the finance and customer API alone (rollups, availability, invoices,
// provisioning) on PORT, with /healthz, /readyz (database), /metrics and /openapi.json.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { runHttpRole } from '../role-command.js';
import { apiRole } from '../../api/role.js';

export const command: Command = {
  summary: 'api role: rollups, availability, invoices and provisioning for finance and customer keys',
  async run(argv) {
    const { values } = parseFlags(argv, { catalog: { type: 'string' } });
    return runHttpRole(apiRole(values.catalog ? { catalogPath: values.catalog } : {}));
  },
};
