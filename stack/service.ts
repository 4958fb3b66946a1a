// The contract each local-stack service implements; stack.ts does the common work (pid files,
// port checks, waiting, messages) so a service file only says how to fetch, start and probe it.
import type { StackSettings } from './paths.js';

export interface ServiceContext {
  settings: StackSettings;
  /** This service's log file (the process's stdout/stderr and its set-up commands' output). */
  logFile: string;
  /** Prints one progress line prefixed with the service name. */
  note(line: string): void;
}

export interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface Service {
  name: string;
  /** Loopback ports the service listens on; all must be free before it starts. */
  ports(settings: StackSettings): number[];
  /**
   * Throws at once when this machine cannot run the service (e.g. without root: no Debian root
   * and no way to build one), before any service starts, so nothing is left behind.
   */
  preflight?(settings: StackSettings): void;
  /** Downloads and one-time initialisation; cached, so cheap when already done. */
  prepare(ctx: ServiceContext): Promise<void>;
  launch(ctx: ServiceContext): Promise<Launch>;
  /** True once the service really answers (not just that the process exists). */
  probe(settings: StackSettings): Promise<boolean>;
  /** Runs once the service answers, on every `up` (must be idempotent). */
  afterReady?(ctx: ServiceContext): Promise<void>;
  /** Connection settings the service contributes to the env file. */
  env(settings: StackSettings): Record<string, string>;
  /** Services that must answer before this one starts. */
  dependsOn?: string[];
  readyTimeoutMs: number;
  stopSignal: NodeJS.Signals;
  stopGraceMs: number;
}
