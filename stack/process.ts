// Processes the stack starts: detached into their own process group with output in a log file,
// remembered by a pid file that also records the process's start time, so a recycled pid is
// never mistaken for ours (`down` must stop only what `up` started).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot at which the process started. */
  startTime: string;
}

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined; // a zombie has already exited
    return rest[19];
  } catch {
    return undefined;
  }
}

export const pidFile = (runDir: string, service: string) => join(runDir, `${service}.pid`);

export function readPidRecord(file: string): PidRecord | undefined {
  if (!existsSync(file)) return undefined;
  const [pid, startTime] = readFileSync(file, 'utf8').trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0 || !startTime) return undefined;
  return { pid: n, startTime };
}

/** The pid recorded in the file if that very process still runs. */
export function ourLivePid(file: string): number | undefined {
  const rec = readPidRecord(file);
  if (!rec) return undefined;
  return processStartTime(rec.pid) === rec.startTime ? rec.pid : undefined;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a long-lived service that outlives this process; returns its pid. */
export function spawnDetached(opts: SpawnOptions): number {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
    child.on('error', () => undefined); // exit is noticed through the pid file and the log
    child.unref();
    const startTime = processStartTime(child.pid) ?? '0';
    writeFileSync(opts.pidFile, `${child.pid} ${startTime}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export const isAlive = (pid: number, startTime?: string): boolean => {
  const st = processStartTime(pid);
  return st !== undefined && (startTime === undefined || st === startTime);
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the process of a pid file: `signal` first (each service's graceful one), then SIGKILL
 * to its whole process group after `graceMs`. Returns how it ended, or undefined if nothing of
 * ours was running.
 */
export async function stopByPidFile(
  file: string,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<'stopped' | 'killed' | undefined> {
  const rec = readPidRecord(file);
  if (!rec || !isAlive(rec.pid, rec.startTime)) {
    rmSync(file, { force: true });
    return undefined;
  }
  try {
    process.kill(rec.pid, signal);
  } catch {
    /* exited meanwhile */
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(rec.pid, rec.startTime)) {
      rmSync(file, { force: true });
      return 'stopped';
    }
    await pause(100);
  }
  try {
    process.kill(-rec.pid, 'SIGKILL'); // detached: the pid leads its own process group
  } catch {
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  while (isAlive(rec.pid, rec.startTime)) await pause(50);
  rmSync(file, { force: true });
  return 'killed';
}

export function ensureDirs(...dirs: string[]): void {
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
