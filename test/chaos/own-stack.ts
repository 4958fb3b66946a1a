// The chaos suite's own Kafka, PostgreSQL and Redis: a stack dir of its own in a temporary
// folder and a port base of its own, so restarting a service here never touches the shared
// stack other engineers' tests use. `close` stops what it started and deletes its data.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { stackPorts, stackDefaults } from '../../config/variables.js';
import { stackPaths, type StackSettings } from '../../stack/paths.js';
import { portFree, waitUntil } from '../../stack/net.js';
import { ourLivePid, pidFile, processStartTime } from '../../stack/process.js';
import { kafka } from '../../stack/kafka.js';
import { postgres } from '../../stack/postgres.js';
import { redis } from '../../stack/redis.js';
import { down, up } from '../../stack/stack.js';
import type { Service } from '../../stack/service.js';
import { AofTracker } from './aof.js';

export type ServiceName = 'kafka' | 'postgres' | 'redis';
const SERVICES: Record<ServiceName, Service> = { kafka, postgres, redis };
const quiet = { progress: () => undefined, result: () => undefined };

export interface OwnStack {
  settings: StackSettings;
  /** KAFKA_BROKERS, DATABASE_URL, REDIS_URL of this stack. */
  env: Record<string, string>;
  /** A clean stop and start of one service (what an operator's restart does). */
  restart(name: ServiceName): Promise<void>;
  /**
   * A machine crash under Redis: SIGKILL, and the append-only file cut back to what it held
   * `lossMs` earlier (the writes `appendfsync everysec` had not synced yet), then a start.
   * Resolves with the bytes of AOF the crash took.
   */
  crashRedis(lossMs: number): Promise<number>;
  /** Whether Redis took writes in the last `ms` (its AOF grew). */
  redisWritingWithin(ms: number): boolean;
  close(): Promise<void>;
}

async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    // Below the ephemeral range (32768+): a client socket may hold any port above it. Away
    // from 19000 (the shared stack's base).
    const base = 21_000 + 250 * Math.floor(Math.random() * 40);
    const p = stackPorts(base);
    const ports = [p.kafka, p.kafkaController, p.postgres, p.redis];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port base for the chaos stack');
}

export async function ownStack(): Promise<OwnStack> {
  const dir = mkdtempSync(join(os.tmpdir(), 'meterline-chaos-'));
  const base = await freeBase();
  const settings: StackSettings = {
    paths: stackPaths({ METERLINE_STACK_DIR: dir }),
    ports: stackPorts(base),
    portBase: base,
    schemaRegistry: false,
  };
  const all = Object.values(SERVICES);
  const aof = new AofTracker(join(settings.paths.data, 'redis'));
  const close = async () => {
    aof.stop();
    await down(settings, quiet, all, { purge: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await up(settings, quiet, all);
  } catch (err) {
    await close();
    throw err;
  }
  aof.start();
  const waitPortFree = (port: number) =>
    waitUntil(async () => portFree(port), { what: `port ${port} to be released`, timeoutMs: 30_000, intervalMs: 50 });
  return {
    settings,
    env: stackDefaults(base),
    async restart(name) {
      await down(settings, quiet, [SERVICES[name]]);
      for (const port of SERVICES[name].ports(settings)) await waitPortFree(port);
      await up(settings, quiet, [SERVICES[name]]);
    },
    async crashRedis(lossMs) {
      const pid = ourLivePid(pidFile(settings.paths.run, 'redis'));
      if (pid === undefined) throw new Error('the chaos stack has no running Redis to crash');
      aof.stop(); // freeze the history before the kill: the cut must predate the crash
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await waitUntil(async () => processStartTime(pid) === undefined, { what: 'redis to die', timeoutMs: 10_000, intervalMs: 20 });
      // A child forked for an AOF rewrite inherits the socket and outlives the parent a moment.
      await waitPortFree(settings.ports.redis);
      const lost = aof.cutBack(killedAt - lossMs);
      await up(settings, quiet, [redis]);
      aof.start();
      return lost;
    },
    redisWritingWithin: (ms) => aof.grewWithin(ms),
    close,
  };
}
