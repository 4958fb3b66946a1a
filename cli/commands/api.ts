// `meterline api`: the finance and customer API alone (rollups, availability, invoices,
// provisioning) on PORT, with /healthz, /readyz (database), /metrics and /openapi.json.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { roleServer } from '../../observability/serve.js';
import { untilShutdown } from '../../lib/signals.js';
import { apiRole } from '../../api/role.js';

export const command: Command = {
  summary: 'api role: rollups, availability, invoices and provisioning for finance and customer keys',
  async run(argv) {
    const { values } = parseFlags(argv, { catalog: { type: 'string' } });
    const config = loadConfig();
    const log = createLogger(config.logLevel).child({ role: 'api' });
    const shutdown = untilShutdown();
    const server = roleServer(config, log, ['api']);
    const role = await apiRole(values.catalog ? { catalogPath: values.catalog } : {}).start(server.context);
    try {
      await server.listen();
      await shutdown;
    } finally {
      await server.stop();
      await role.stop();
    }
    return 0;
  },
};
