// Where the local stack keeps things: per-checkout state (data, logs, pid files) under
// METERLINE_STACK_DIR, shared downloads under METERLINE_CACHE_DIR so a fresh clone reuses them.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portBase, type Env } from '../config/env.js';
import { MeterlineError } from '../lib/errors.js';
import { stackPorts } from '../config/variables.js';

export interface StackPaths {
  /** The checkout (folder holding package.json); relative settings resolve against it. */
  root: string;
  /** Per-checkout state: `data/`, `logs/`, `run/` (pid files) and `env`. */
  stackDir: string;
  logs: string;
  run: string;
  data: string;
  /** Shared download cache (Maven repository, TimescaleDB root, Apicurio). */
  cacheDir: string;
  /** Short stable id of this stack dir: keeps two checkouts' data apart inside the shared root. */
  id: string;
}

export type StackPorts = ReturnType<typeof stackPorts>;

export interface StackSettings {
  paths: StackPaths;
  ports: StackPorts;
  portBase: number;
  schemaRegistry: boolean;
}

/** The checkout root: the nearest folder above this module that holds package.json. */
export function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return join(os.homedir(), p.slice(2));
  return p;
}

const setting = (env: Env, name: string, fallback: string): string => {
  const v = env[name]?.trim();
  return v ? v : fallback;
};

export function stackPaths(env: Env = process.env, root = checkoutRoot()): StackPaths {
  const dirSetting = expandHome(setting(env, 'METERLINE_STACK_DIR', '.stack'));
  const stackDir = isAbsolute(dirSetting) ? dirSetting : resolve(root, dirSetting);
  const cacheSetting = expandHome(setting(env, 'METERLINE_CACHE_DIR', '~/.cache/meterline'));
  const cacheDir = isAbsolute(cacheSetting) ? cacheSetting : resolve(root, cacheSetting);
  return {
    root,
    stackDir,
    logs: join(stackDir, 'logs'),
    run: join(stackDir, 'run'),
    data: join(stackDir, 'data'),
    cacheDir,
    id: createHash('sha256').update(stackDir).digest('hex').slice(0, 16),
  };
}

/** Reads the stack's settings; a bad METERLINE_PORT_BASE or METERLINE_SCHEMA_REGISTRY throws a config error. */
export function stackSettings(env: Env = process.env): StackSettings {
  const base = portBase(env);
  const sr = setting(env, 'METERLINE_SCHEMA_REGISTRY', 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(sr)) {
    throw new MeterlineError(
      'config',
      `bad configuration: METERLINE_SCHEMA_REGISTRY=${JSON.stringify(sr)}: must be true or false`,
    );
  }
  return {
    paths: stackPaths(env),
    ports: stackPorts(base),
    portBase: base,
    schemaRegistry: ['true', '1', 'yes'].includes(sr),
  };
}
