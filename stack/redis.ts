// Our own Redis instance from Debian's redis-server, on the stack's port, with the append-only
// file on: deduplication state must survive a restart. Root installs it with apt-get when
// missing; another user takes the host's, else the one in the Debian root (built without root).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCommand, hasCommand } from './exec.js';
import { checkRootUsable, ensureRoot, rootComplete, rootDir } from './postgres.js';
import { isRoot, viaLoader } from './rootless.js';
import { ensureDirs } from './process.js';
import { redisCommand } from './net.js';
import type { StackSettings } from './paths.js';
import type { Service } from './service.js';

const dataDir = (s: StackSettings) => join(s.paths.data, 'redis');
const IN_ROOT = 'usr/bin/redis-server';
/** Without root and without a host redis-server: the Debian root's. */
const fromRoot = () => !isRoot() && !hasCommand('redis-server');

const MISSING = 'redis-server is not installed (sudo apt-get install -y redis-server)';

/** The Debian root can provide redis-server: it has one, or it is still to be built (unshare). */
function checkRootRedis(s: StackSettings): void {
  try {
    checkRootUsable(s);
  } catch {
    throw new Error(`${MISSING}, and the Debian root that would provide one is missing too`);
  }
  if (rootComplete(s) && !existsSync(join(rootDir(s), IN_ROOT)))
    throw new Error(`${MISSING}, and the Debian root in ${rootDir(s)} has none`);
}

export const redis: Service = {
  name: 'redis',
  ports: (s) => [s.ports.redis],
  // Redis answers LOADING until its append-only file is read back: ≈ 1 minute for the 2.5 GB of
  // dedup claims a few days of local benchmarks leave (16 M keys). A process that dies instead
  // ends the wait at once (stack.ts checks it is alive), so a long limit only waits for a load.
  readyTimeoutMs: 600_000,
  stopSignal: 'SIGTERM', // saves and exits
  stopGraceMs: 15_000,

  preflight: (s) => {
    if (fromRoot()) checkRootRedis(s);
  },

  async prepare(ctx) {
    ensureDirs(dataDir(ctx.settings));
    if (!fromRoot()) return ensureCommand('redis-server', 'redis-server', ctx.logFile, ctx.note);
    await ensureRoot(ctx); // a failed build is postgres's error too
    checkRootRedis(ctx.settings);
  },

  async launch(ctx) {
    const s = ctx.settings;
    const args = [
      '--port',
      String(s.ports.redis),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--dir',
      dataDir(s),
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
      '--logfile',
      '',
      '--maxmemory-policy',
      'noeviction', // evicting dedup keys would double-count samples
    ];
    const run = fromRoot() ? viaLoader(rootDir(s), IN_ROOT, args) : { command: 'redis-server', args };
    return { ...run, cwd: dataDir(s) };
  },

  async probe(s) {
    return (await redisCommand(s.ports.redis, 'PING')) === '+PONG';
  },

  env: (s) => ({ REDIS_URL: `redis://127.0.0.1:${s.ports.redis}` }),
};
