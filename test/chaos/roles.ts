// Every meterline role as its own child process, restartable: ingest and api on fixed ports (the
// traffic and the checks reach them there across restarts), aggregate, sink and rate with a
// short Kafka session so a SIGKILLed member's partitions move to its successor in seconds.
import { Child } from '../e2e/processes.js';

export const KILLABLE = ['ingest', 'aggregate', 'sink', 'rate'] as const;
export type KillableRole = (typeof KILLABLE)[number];
export type RoleName = KillableRole | 'api';

export interface RoleSetup {
  env: NodeJS.ProcessEnv;
  catalogFile: string;
  ports: { ingest: number; api: number };
}

const ARGS: Record<RoleName, string[]> = {
  ingest: [],
  api: [],
  aggregate: ['--session-timeout', '6s', '--commit-interval', '300ms', '--commit-records', '500'],
  sink: ['--session-timeout', '6s'],
  rate: ['--session-timeout', '6s'],
};

export class Roles {
  private readonly current = new Map<RoleName, Child>();
  /** Every process ever started, so the end can name a crash's last lines and stop stragglers. */
  private readonly all: Child[] = [];

  constructor(private readonly setup: RoleSetup) {}

  private stopped = false;

  start(role: RoleName): Child {
    // After stopAll (the run failed or timed out) nothing may start again behind its back.
    if (this.stopped) throw new Error(`not starting ${role}: the run is over`);
    const { env, catalogFile, ports } = this.setup;
    const port = role === 'ingest' ? ports.ingest : role === 'api' ? ports.api : 0;
    const catalog = role === 'ingest' ? [] : ['--catalog', catalogFile];
    const child = new Child(role, [role, ...catalog, ...ARGS[role]], { ...env, PORT: String(port) });
    this.current.set(role, child);
    this.all.push(child);
    return child;
  }

  get(role: RoleName): Child {
    const c = this.current.get(role);
    if (c === undefined) throw new Error(`${role} was never started`);
    return c;
  }

  /** SIGKILL of the role's process and a new one in its place; resolves with the old and new pids. */
  async killAndRestart(role: RoleName): Promise<{ killed: number; started: number }> {
    const old = this.get(role);
    await old.kill('SIGKILL');
    const next = this.start(role);
    return { killed: old.child.pid ?? -1, started: next.child.pid ?? -1 };
  }

  /** Roles whose current process exited although nobody killed it (a crash of its own). */
  exitedOnTheirOwn(): string[] {
    return [...this.current.values()]
      .filter((c) => c.child.exitCode !== null)
      .map((c) => `${c.name} (pid ${c.child.pid}) exited ${c.child.exitCode}:\n${c.tail()}`);
  }

  tails(): string {
    return [...this.current.values()].map((c) => `--- ${c.name} (pid ${c.child.pid})\n${c.tail()}`).join('\n');
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.all.map((c) => c.kill('SIGKILL')));
  }
}
