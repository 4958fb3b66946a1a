// What `meterline <role>` does for every role run alone: load and check Config, log as the role,
// serve /healthz, /readyz and /metrics on PORT, run until SIGINT/SIGTERM, then drain. HTTP roles
// mount their routes before the server listens; consumer roles serve the ops endpoints at once
// (a taken port is a warning there) and stop consuming before the endpoints go away.
import { loadConfig } from '../config/env.js';
import { untilShutdown } from '../lib/signals.js';
import { createLogger } from '../observability/log.js';
import { consumerRoleServer, roleServer } from '../observability/serve.js';
import type { Role } from '../roles/role.js';
import { startUnlessShutdown, stopRoles } from '../roles/stop.js';

/** Runs an HTTP role (ingest, api) alone on PORT until a shutdown signal; exit code 0. */
export async function runHttpRole(role: Role): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel).child({ role: role.name });
  const shutdown = untilShutdown();
  const server = roleServer(config, log, [role.name]);
  const running = await startUnlessShutdown(role.start(server.context), log, role.name);
  if (!running) {
    await server.stop();
    return 0;
  }
  try {
    await server.listen();
    await shutdown;
  } finally {
    await server.stop();
    await stopRoles([{ name: role.name, role: running }], log);
  }
  return 0;
}

/** Runs a consumer role (aggregate, sink, rate) alone until a shutdown signal; exit code 0. */
export async function runConsumerRole(role: Role): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel).child({ role: role.name });
  const shutdown = untilShutdown();
  const ops = await consumerRoleServer(config, log, role.name);
  const running = await startUnlessShutdown(role.start(ops.context), log, role.name);
  if (!running) {
    await ops.stop();
    return 0;
  }
  log.info(`${role.name}: running`);
  await shutdown;
  await stopRoles([{ name: role.name, role: running }], log);
  await ops.stop();
  return 0;
}
