// `meterline run`: every role in one process, sharing one HTTP server on PORT. Stays up until
// SIGINT/SIGTERM, then stops the HTTP server first (no new work) and then every role at once,
// within a deadline (roles/stop.ts).
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { loadConfig, type Config } from '../../config/env.js';
import { createLogger } from '../../observability/log.js';
import { roleServer } from '../../observability/serve.js';
import { ROLES } from '../../roles/registry.js';
import type { RunningRole } from '../../roles/role.js';
import { shutdownSignal, untilShutdown } from '../../lib/signals.js';
import { startUnlessShutdown, stopRoles } from '../../roles/stop.js';

export interface RunHooks {
  /**
   * Once every role runs and the port listens (`meterline start` prints the console URL and
   * starts the demo fleet here); the function it returns runs first at shutdown.
   */
  onListening?: (port: number, config: Config) => Promise<(() => Promise<void>) | void>;
}

/** Every role in one process until SIGINT/SIGTERM. */
export async function runAll(argv: string[], hooks: RunHooks = {}): Promise<number> {
  const { values } = parseFlags(argv, { catalog: { type: 'string' } });
  const config = { ...loadConfig(), ...(values.catalog ? { catalogPath: values.catalog } : {}) };
  const log = createLogger(config.logLevel);
  // One app, one metric registry, readiness over what all roles need.
  const server = roleServer(
    config,
    log,
    ROLES.map((r) => r.name),
  );
  const running: { name: string; role: RunningRole }[] = [];
  const shutdown = untilShutdown();
  try {
    for (const role of ROLES) {
      const started = await startUnlessShutdown(role.start({ ...server.context, log: log.child({ role: role.name }) }), log, role.name);
      if (!started) break;
      running.push({ name: role.name, role: started });
      log.info({ role: role.name }, 'role started');
    }
    if (shutdownSignal.aborted) {
      await server.stop();
      return 0;
    }
    const http = await server.listen();
    log.info({ roles: running.map((r) => r.name) }, 'all roles started');
    const beforeStop = await hooks.onListening?.(http.port, config);
    const signal = await shutdown;
    log.info({ signal }, 'shutting down');
    await beforeStop?.();
    await server.stop();
  } finally {
    await stopRoles(running, log);
  }
  return 0;
}

export const command: Command = {
  summary: 'run all roles in one process (uses the services configured in the environment) [--catalog FILE]',
  run: (argv) => runAll(argv),
};
