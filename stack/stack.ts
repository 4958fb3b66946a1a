// `meterline stack up | down | status`: the common work around the services (pid files, port
// checks, readiness waits, messages, the env file). Services are started detached so they
// outlive the command; `down` stops only processes whose pid files `up` wrote.
import { accessSync, constants, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MeterlineError } from '../lib/errors.js';
import { kafka } from './kafka.js';
import { postgres, postgresHome } from './postgres.js';
import { withStackLock } from './lock.js';
import { redis } from './redis.js';
import { schemaRegistry } from './schema-registry.js';
import {
  ensureDirs,
  ourLivePid,
  pidFile,
  spawnDetached,
  stopByPidFile,
  tail,
  isAlive,
  processStartTime,
} from './process.js';
import { portFree, tcpAnswers, waitUntil } from './net.js';
import type { StackSettings } from './paths.js';
import type { Service, ServiceContext } from './service.js';

/** Every service the stack knows, in start order of dependencies. */
export const ALL_SERVICES: readonly Service[] = [kafka, postgres, redis, schemaRegistry];

export const expectedServices = (s: StackSettings): Service[] =>
  ALL_SERVICES.filter((svc) => svc !== schemaRegistry || s.schemaRegistry);

export const logFileOf = (s: StackSettings, svc: Service) => join(s.paths.logs, `${svc.name}.log`);
const pidFileOf = (s: StackSettings, svc: Service) => pidFile(s.paths.run, svc.name);
/** The port a service is reached on (Kafka's second one is its controller's). */
export const mainPort = (s: StackSettings, svc: Service): number => svc.ports(s)[0] ?? 0;
export const envFileOf = (s: StackSettings) => join(s.paths.stackDir, 'env');

export interface Output {
  progress(line: string): void;
  result(line: string): void;
}

const show = (s: StackSettings, p: string) => {
  const r = relative(s.paths.root, p);
  return r.startsWith('..') ? p : r;
};

function context(s: StackSettings, svc: Service, out: Output): ServiceContext {
  return { settings: s, logFile: logFileOf(s, svc), note: (line) => out.progress(`${svc.name}: ${line}`) };
}

/** The ports of services not already running must be free; checked for all before starting any. */
async function checkPorts(s: StackSettings, services: Service[]): Promise<void> {
  for (const svc of services) {
    for (const port of svc.ports(s)) {
      if (!(await portFree(port))) {
        throw new MeterlineError(
          'unavailable',
          `${svc.name}: port ${port} on 127.0.0.1 is already in use by another program (not started by this stack). ` +
            `Stop that program, or move the whole stack with METERLINE_PORT_BASE (now ${s.portBase}; ${svc.name} uses base+${port - s.portBase}).`,
        );
      }
    }
  }
}

async function bringUp(
  s: StackSettings,
  svc: Service,
  out: Output,
  ready: Map<string, Promise<void>>,
): Promise<void> {
  const ctx = context(s, svc, out);
  const t0 = Date.now();
  const file = pidFileOf(s, svc);
  let pid = ourLivePid(file);
  if (pid !== undefined) {
    ctx.note(`already running (pid ${pid})`);
  } else {
    await svc.prepare(ctx);
    for (const dep of svc.dependsOn ?? []) await ready.get(dep);
    const l = await svc.launch(ctx);
    writeFileSync(
      ctx.logFile,
      `\n=== ${new Date().toISOString()} meterline stack up: ${l.command} ${l.args.join(' ')}\n`,
      { flag: 'a' },
    );
    pid = spawnDetached({ ...l, logFile: ctx.logFile, pidFile: file });
    ctx.note(`started (pid ${pid}), waiting until it answers…`);
  }
  const startTime = processStartTime(pid);
  await waitUntil(() => svc.probe(s), {
    what: `${svc.name} on 127.0.0.1:${mainPort(s, svc)}`,
    timeoutMs: svc.readyTimeoutMs,
    abort: () =>
      isAlive(pid, startTime)
        ? undefined
        : `${svc.name}: the process exited during start-up; see ${show(s, ctx.logFile)}:\n${tail(ctx.logFile)}`,
  }).catch((err: Error) => {
    throw new MeterlineError(
      'unavailable',
      err.message.startsWith(`${svc.name}:`) // already names the service and its log
        ? err.message
        : `${svc.name}: ${err.message}; see ${show(s, ctx.logFile)}`,
    );
  });
  await svc.afterReady?.(ctx);
  ctx.note(`ready on 127.0.0.1:${mainPort(s, svc)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

export function envLines(s: StackSettings, services: Service[]): string[] {
  const env: Record<string, string> = {};
  for (const svc of services) Object.assign(env, svc.env(s));
  return Object.entries(env).map(([k, v]) => `export ${k}=${v}`);
}

/** Starts what is not running, waits for everything, writes and prints the env lines. */
export async function up(s: StackSettings, out: Output, services = expectedServices(s)): Promise<void> {
  ensureDirs(s.paths.logs, s.paths.run, s.paths.data);
  await withStackLock(s.paths.run, out.progress, () => upLocked(s, out, services));
}

/**
 * The cache must be reachable (a shared one may be read-only: complete downloads need no
 * writes), or creatable. Another user's default (a home folder others cannot enter) is the
 * usual way to get this wrong.
 */
export function cacheProblem(dir: string): string | undefined {
  const fix = 'set METERLINE_CACHE_DIR to a folder of your own (default ~/.cache/meterline)';
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot read the cache ${dir}; ${fix}`;
  }
  const up = dirname(dir);
  if (up === dir) return undefined;
  try {
    accessSync(up, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return cacheProblem(up);
    return `cannot create the cache ${dir}; ${fix}`;
  }
}

/** Every service's preflight, all reported together, before anything starts. */
function preflight(s: StackSettings, services: Service[]): void {
  const cache = cacheProblem(s.paths.cacheDir);
  if (cache) throw new MeterlineError('unavailable', cache);
  const problems = services.flatMap((svc) => {
    try {
      svc.preflight?.(s);
      return [];
    } catch (err) {
      return [`${svc.name}: ${(err as Error).message}`];
    }
  });
  if (problems.length > 0) throw new MeterlineError('unavailable', problems.join('\n'));
}

async function upLocked(s: StackSettings, out: Output, services: Service[]): Promise<void> {
  const toStart = services.filter((svc) => ourLivePid(pidFileOf(s, svc)) === undefined);
  preflight(s, toStart);
  await checkPorts(s, toStart);
  const ready = new Map<string, Promise<void>>();
  for (const svc of services) ready.set(svc.name, bringUp(s, svc, out, ready));
  const results = await Promise.allSettled(ready.values());
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length > 0) {
    throw new MeterlineError(
      'unavailable',
      `${failures.join('\n')}\n(what did start keeps running; 'meterline stack down' stops it)`,
    );
  }
  const lines = envLines(s, services);
  writeFileSync(
    envFileOf(s),
    `# Written by meterline stack up: connection settings of the local stack.\n${lines.join('\n')}\n`,
  );
  out.progress(`stack: up; settings written to ${show(s, envFileOf(s))}`);
  for (const line of lines) out.result(line);
}

export interface ServiceStatus {
  service: Service;
  pid?: number;
  answering: boolean;
}

export async function status(s: StackSettings): Promise<ServiceStatus[]> {
  return Promise.all(
    ALL_SERVICES.map(async (svc) => {
      const pid = ourLivePid(pidFileOf(s, svc));
      const answering = pid !== undefined && (await tcpAnswers(mainPort(s, svc)));
      return { service: svc, pid, answering };
    }),
  );
}

/**
 * Stops every service whose pid file names a live process of ours: dependants first (the
 * registry needs PostgreSQL), then the rest together. With `purge`, also deletes the stack's
 * data (Kafka topics, Redis, this stack's PostgreSQL cluster) — never the download cache.
 */
export async function down(
  s: StackSettings,
  out: Output,
  services: readonly Service[] = ALL_SERVICES,
  opts: { purge?: boolean } = {},
): Promise<void> {
  ensureDirs(s.paths.run);
  await withStackLock(s.paths.run, out.progress, async () => {
    const stop = async (svc: Service) => {
      const file = pidFileOf(s, svc);
      const pid = ourLivePid(file);
      if (pid !== undefined) out.progress(`${svc.name}: stopping (pid ${pid})…`);
      const how = await stopByPidFile(file, svc.stopSignal, svc.stopGraceMs);
      if (how === 'stopped') out.progress(`${svc.name}: stopped`);
      else if (how === 'killed')
        out.progress(`${svc.name}: did not stop within ${svc.stopGraceMs / 1000} s; killed`);
    };
    await Promise.all(services.filter((svc) => svc.dependsOn?.length).map(stop));
    await Promise.all(services.filter((svc) => !svc.dependsOn?.length).map(stop));
    if (opts.purge) {
      rmSync(postgresHome(s), { recursive: true, force: true });
      rmSync(s.paths.data, { recursive: true, force: true }); // .stack/data/postgres is only a link
      rmSync(envFileOf(s), { force: true });
      out.progress(`stack: data deleted (${show(s, s.paths.data)})`);
    }
  });
  out.progress('stack: down');
}
