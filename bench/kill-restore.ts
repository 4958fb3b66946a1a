// The restore time of a partition after `kill -9` (SPEC §11), measured on real processes: a
// `meterline aggregate` child takes the bench's group over (restoring what the measured run
// committed), follows more of the fleet (produced over a few seconds while it runs), and is
// SIGKILLed as soon as it has committed some of it — so it dies with records applied and not
// committed, and often with a transaction open. A second child then takes over: fences the dead
// one's transactional ids (which aborts that transaction), reads the changelog and restores
// every partition, and must go on to commit the whole input. The figures are the second child's own: the `partition restored` lines it
// logs (restore.ts), and the time from its spawn to its last restored partition.
//
// Before this, the bench restored a fresh in-process role after a graceful stop of the first,
// which committed everything pending: no open transaction to abort, nothing uncommitted to redo.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Admin } from 'kafkajs';
import { freePort, roleEntry, statusKb } from './role-process.js';

export interface KillRestoreOptions {
  admin: Admin;
  /** The role's environment: the bench's topic prefix, dedup horizon and catalogue. */
  env: NodeJS.ProcessEnv;
  groupId: string;
  topic: string;
  /** Produces more of the fleet's samples (while the first child runs); resolves with how many. */
  more: () => Promise<number>;
  maxSeconds: number;
  nodeOptions?: string;
  built?: boolean;
  /**
   * The roles' `--session-timeout` (ms; default the role's own). The killed member holds its
   * partitions until its session times out, so this bounds `toRestoredMs` from below.
   */
  sessionTimeoutMs?: number;
}

/** A `partition restored` log line (restore.ts); the role restores a list of partitions in one pass. */
export interface PartitionRestore {
  partition: number;
  /** From the start of the pass (so the last partition's is the whole pass). */
  ms: number;
  servers: number;
  records: number;
  /** Of the pass: fencing the partitions' transactional ids. */
  fenceMs: number;
  /** Reading this partition's changelog (the role reads and restores one partition after the other). */
  readMs: number;
  /** Changelog records read for this partition, superseded ones not yet compacted away included. */
  changelogRead: number;
}

export interface KillRestoreRun {
  /** Input records past the group's committed offsets when the first child was killed: work the restore redoes. */
  uncommittedAtKill: number;
  /** The second child's restores, one per partition. */
  restores: PartitionRestore[];
  /**
   * From the second child's spawn to its last partition restored: start-up, the group's wait for
   * the killed member's session to time out, the rebalance, fencing and the restores.
   */
  toRestoredMs: number;
  /** The second child's peak RSS (VmHWM) once every partition is restored: what the restore needed. */
  restorePeakRssMiB: number;
}

const RESTORED = 'aggregate: partition restored';
/** pino's numeric level of `warn`: the children's warnings and errors are passed on to stderr. */
const WARN = 40;

interface Role {
  child: ChildProcess;
  restored: PartitionRestore[];
  /** Set when the child exits. */
  exited?: string;
  /** Resolves when `n` partitions are restored; rejects if the child exits first. */
  restoredAll(n: number, within: number): Promise<void>;
}

/** `meterline aggregate` as a child whose log lines (JSON on stderr) are read for its restores. */
async function startRole(o: KillRestoreOptions): Promise<Role> {
  const env = { ...o.env, PORT: String(await freePort()), METERLINE_LOG_LEVEL: 'info' };
  const flags = o.nodeOptions?.split(/\s+/).filter((f) => f !== '') ?? [];
  const args = o.sessionTimeoutMs !== undefined ? ['--session-timeout', `${o.sessionTimeoutMs}ms`] : [];
  const child = spawn(process.execPath, [...flags, roleEntry(o.built), 'aggregate', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const role: Role = { child, restored: [], restoredAll: () => Promise.resolve() };
  let changed: () => void = () => undefined;
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    let entry: { level?: number; msg?: string } & Partial<PartitionRestore>;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      process.stderr.write(`${line}\n`); // not a log line (a crash's stack): shown as it is
      return;
    }
    if (entry.msg === RESTORED) {
      const { partition, ms, servers, records, fenceMs, readMs, changelogRead } = entry;
      role.restored.push({ partition: Number(partition), ms: Number(ms), servers: Number(servers), records: Number(records), fenceMs: Number(fenceMs), readMs: Number(readMs), changelogRead: Number(changelogRead) });
      changed();
    } else if ((entry.level ?? 0) >= WARN) process.stderr.write(`${line}\n`);
  });
  child.once('exit', (code, signal) => {
    role.exited = `exited (${code ?? signal})`;
    changed();
  });
  role.restoredAll = (n, within) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench aggregate: the role restored ${role.restored.length} of ${n} partitions within ${within} s`)), within * 1000);
      changed = () => {
        if (role.exited) reject(new Error(`bench aggregate: the role process ${role.exited} before restoring its partitions`));
        else if (role.restored.length >= n) resolve();
        else return;
        clearTimeout(timer);
      };
      changed();
    });
  return role;
}

async function stop(role: Role, signal: NodeJS.Signals): Promise<void> {
  if (role.exited) return;
  const gone = new Promise((r) => role.child.once('exit', r));
  role.child.kill(signal);
  await gone;
}

/** Per partition: the group's committed offset (-1: none) and the topic's end. */
async function progress(o: KillRestoreOptions): Promise<{ partition: number; committed: bigint; end: bigint }[]> {
  const [t] = await o.admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
  const committed = new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return (await o.admin.fetchTopicOffsets(o.topic)).map((p) => ({ partition: p.partition, committed: committed.get(p.partition) ?? -1n, end: BigInt(p.high) }));
}

/** Polls `condition` every 100 ms (another process's commits raise no event here) until true or `within` s. */
async function until(what: string, condition: () => Promise<boolean>, within: number, role: Role): Promise<void> {
  const deadline = performance.now() + within * 1000;
  while (!(await condition())) {
    if (role.exited) throw new Error(`bench aggregate: the role process ${role.exited} waiting for ${what}`);
    if (performance.now() > deadline) throw new Error(`bench aggregate: no ${what} within ${within} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function restoreAfterKill(o: KillRestoreOptions): Promise<KillRestoreRun> {
  const before = await progress(o);
  const partitions = before.length;
  const first = await startRole(o);
  let second: Role | undefined;
  try {
    await first.restoredAll(partitions, o.maxSeconds);
    // A failure is kept for later (not left unhandled while the kill goes on).
    const producing = o.more().then(
      () => undefined,
      (err: unknown) => err ?? new Error('bench aggregate: the samples for the killed role were not produced'),
    );
    // Killed at its first commit of the new samples: records applied past it are not committed yet.
    const oldEnd = new Map(before.map((p) => [p.partition, p.end]));
    await until('commit of the new samples', async () => (await progress(o)).some((p) => p.committed > (oldEnd.get(p.partition) ?? 0n)), o.maxSeconds, first);
    await stop(first, 'SIGKILL');
    const atKill = await progress(o);
    const uncommittedAtKill = Number(atKill.reduce((n, p) => n + p.end - (p.committed < 0n ? 0n : p.committed), 0n));
    const spawned = performance.now();
    second = await startRole(o);
    await second.restoredAll(partitions, o.maxSeconds);
    const toRestoredMs = Math.round(performance.now() - spawned);
    const restorePeakRssMiB = Math.round(statusKb(second.child.pid as number, 'VmHWM') / 2 ** 20);
    // The restored role must carry on: every record committed, none lost at the kill.
    const failed = await producing;
    if (failed !== undefined) throw failed;
    await until('commit of the whole input after the restore', async () => (await progress(o)).every((p) => p.committed >= p.end), o.maxSeconds, second);
    return { uncommittedAtKill, restores: second.restored, toRestoredMs, restorePeakRssMiB };
  } finally {
    await stop(first, 'SIGKILL');
    if (second) await stop(second, 'SIGTERM');
  }
}

/** Samples produced at least, over KILL_ROUND_SECONDS, while the role to be killed runs. */
export const KILL_ROUND_SAMPLES = 20_000;
export const KILL_ROUND_SECONDS = 4;

/**
 * The report's restore fields: the slowest partition's restore after kill -9 — counted from the
 * start of the role's restore pass, which takes every partition assigned at once together, so
 * with one process it is the time to restore all of them — and the run around it.
 */
export function restoreDetails(k: KillRestoreRun): Record<string, number | string> {
  const slowest = k.restores.reduce((m, r) => (r.ms > m.ms ? r : m));
  return {
    restoreMs: Math.round(slowest.ms),
    restoredPartitions: k.restores.length,
    restoredServers: k.restores.reduce((n, r) => n + r.servers, 0),
    // State records restored: the newest of each key.
    restoredStateRecords: k.restores.reduce((n, r) => n + r.records, 0),
    // Its pass's fencing; the changelog reads of all partitions, and the records they read
    // (superseded ones compaction had not removed yet included).
    restoreFenceMs: slowest.fenceMs,
    restoreChangelogMs: k.restores.reduce((n, r) => n + r.readMs, 0),
    restoreChangelogRead: k.restores.reduce((n, r) => n + r.changelogRead, 0),
    restoreAfter: 'kill -9 of a role process',
    // Input records past the group's commits when the role was killed: the restarted role redoes them.
    uncommittedAtKill: k.uncommittedAtKill,
    // The restarted process's spawn to its last partition restored: start-up, join, fencing too.
    restartToRestoredMs: k.toRestoredMs,
    restorePeakRssMiB: k.restorePeakRssMiB,
  };
}
