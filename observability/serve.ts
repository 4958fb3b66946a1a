// How a role command serves HTTP: one process-wide app (with /healthz, /readyz, /metrics,
// /openapi.json), the roles started on it with the process's metric registry, then PORT.
//  - HTTP roles (ingest, api, run) mount routes first and listen after: a route added once the
//    router has served a request is refused by hono.
//  - Consumer roles (aggregate, sink, rate) serve only the ops endpoints, so they listen at
//    once and /healthz answers while the consumer is still joining its group. Their port is
//    auxiliary: when it is taken (several consumer processes on one machine sharing an
//    environment), the role logs a warning and runs without it rather than die; in Kubernetes
//    every pod has its own port space.
import type { Config } from '../config/env.js';
import { listen, type HttpServer } from '../api/serve.js';
import { isKind } from '../lib/errors.js';
import type { RoleContext } from '../roles/role.js';
import type { Logger } from './log.js';
import { createRoleProcess, needsOf, type RoleProcess } from './process.js';
import { createKafka } from '../kafka/client.js';
import { topicNames } from '../kafka/topics.js';
import { watchConsumerLag, type LagTarget, type LagWatcher } from './consumer-lag.js';
import { AGGREGATE_GROUP, RATE_GROUP, SINK_GROUP } from '../kafka/groups.js';

/** The consumer group and input topic of each consumer role (group ids carry the topic prefix). */
export function lagTargets(config: Config, roleNames: readonly string[]): LagTarget[] {
  const prefix = config.kafka.topicPrefix;
  const names = topicNames(prefix);
  const all: Record<string, LagTarget> = {
    aggregate: { groupId: `${prefix}${AGGREGATE_GROUP}`, topic: names.raw },
    sink: { groupId: `${prefix}${SINK_GROUP}`, topic: names.rollups },
    rate: { groupId: `${prefix}${RATE_GROUP}`, topic: names.rollups },
  };
  return roleNames.flatMap((r) => (all[r] ? [all[r]] : []));
}

export interface RoleServer {
  /** What to pass to Role.start. */
  context: RoleContext;
  process: RoleProcess;
  /** Starts listening on PORT (HTTP roles, after mounting). */
  listen(): Promise<HttpServer>;
  /** Stops HTTP and releases the probes. */
  stop(): Promise<void>;
}

export function roleServer(config: Config, log: Logger, roleNames: readonly string[]): RoleServer {
  const proc = createRoleProcess(config, log, needsOf(roleNames));
  const targets = lagTargets(config, roleNames);
  const lag: LagWatcher | undefined =
    targets.length > 0
      ? watchConsumerLag({ kafka: createKafka(config.kafka, { role: 'lag', level: 'nothing' }), targets, metrics: proc.metrics, log })
      : undefined;
  let http: HttpServer | undefined;
  return {
    context: { config, log, app: proc.app, metrics: proc.metrics, readiness: proc.readiness },
    process: proc,
    async listen() {
      http = await listen(proc.app, config.port);
      log.info({ port: http.port }, `listening on port ${http.port}`);
      return http;
    },
    async stop() {
      await http?.stop();
      await lag?.stop();
      await proc.close();
    },
  };
}

/** For consumer roles: the ops endpoints at once; a taken port is a warning, not an exit. */
export async function consumerRoleServer(config: Config, log: Logger, roleName: string): Promise<RoleServer> {
  const server = roleServer(config, log, [roleName]);
  try {
    await server.listen();
  } catch (err) {
    if (!isKind(err, 'config')) throw err;
    log.warn({ port: config.port }, `${roleName}: /healthz, /readyz and /metrics not served: ${(err as Error).message}`);
  }
  return server;
}
