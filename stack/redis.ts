// Our own Redis instance from Debian's redis-server, on the stack's port, with the append-only
// file on: deduplication state must survive a restart.
import { join } from 'node:path';
import { ensureCommand } from './exec.js';
import { ensureDirs } from './process.js';
import { redisCommand } from './net.js';
import type { StackSettings } from './paths.js';
import type { Service } from './service.js';

const dataDir = (s: StackSettings) => join(s.paths.data, 'redis');

export const redis: Service = {
  name: 'redis',
  ports: (s) => [s.ports.redis],
  readyTimeoutMs: 30_000,
  stopSignal: 'SIGTERM', // saves and exits
  stopGraceMs: 15_000,

  async prepare(ctx) {
    await ensureCommand('redis-server', 'redis-server', ctx.logFile, ctx.note);
    ensureDirs(dataDir(ctx.settings));
  },

  async launch(ctx) {
    const s = ctx.settings;
    return {
      command: 'redis-server',
      args: [
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
      ],
      cwd: dataDir(s),
    };
  },

  async probe(s) {
    return (await redisCommand(s.ports.redis, 'PING')) === '+PONG';
  },

  env: (s) => ({ REDIS_URL: `redis://127.0.0.1:${s.ports.redis}` }),
};
