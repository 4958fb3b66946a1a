// Running set-up commands (mvn, mmdebstrap, apt-get, initdb) to completion with their output in
// a log file, and installing missing host programs with apt-get.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tail } from './process.js';

export interface RunOptions {
  /** What the command does, for the error message. */
  what: string;
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export async function runLogged(command: string, args: string[], opts: RunOptions): Promise<void> {
  const fd = openSync(opts.logFile, 'a');
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      child.once('error', reject);
      child.once('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    });
    if (code !== 0) {
      throw new Error(
        `${opts.what} failed (${command} exited with ${code}); see ${opts.logFile}:\n${tail(opts.logFile)}`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

export const hasCommand = (name: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

// dpkg takes one lock: apt-get calls of services preparing in parallel go one after another.
let aptQueue: Promise<void> = Promise.resolve();

/** Installs `pkg` with apt-get when `binary` is missing (running `apt-get update` once if needed). */
export function ensureCommand(
  binary: string,
  pkg: string,
  logFile: string,
  note: (line: string) => void,
): Promise<void> {
  const job = aptQueue.then(async () => {
    if (hasCommand(binary)) return;
    if (process.getuid?.() !== 0) {
      throw new Error(`${binary} is missing; install it with: sudo apt-get install -y ${pkg}`);
    }
    note(`installing ${pkg} with apt-get…`);
    const install = () =>
      runLogged('apt-get', ['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=300', pkg], {
        what: `apt-get install ${pkg}`,
        logFile,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    try {
      await install();
    } catch {
      await runLogged('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=300'], {
        what: 'apt-get update',
        logFile,
      });
      await install();
    }
    if (!hasCommand(binary))
      throw new Error(`${binary} is still missing after installing ${pkg}; see ${logFile}`);
  });
  aptQueue = job.catch(() => undefined);
  return job;
}
